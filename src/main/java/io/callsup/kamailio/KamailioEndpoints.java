package io.callsup.kamailio;

import io.callsup.calls.ActiveCall;
import io.callsup.calls.CallRegistry;
import io.callsup.supervision.SupervisionService;
import io.callsup.web.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * What Kamailio calls: decisions on supervision INVITEs and reports of dialogs and of supervisor
 * in-dialog requests. Served only on the internal (management) port by {@link InternalRoutes}, which
 * checks the event secret, parses and validates the bodies; these methods get valid messages only.
 */
@ApplicationScoped
public class KamailioEndpoints {
    private static final Logger LOG = Logger.getLogger(KamailioEndpoints.class);

    private final SupervisionService supervision;
    private final CallRegistry calls;
    private final ManagedExecutor executor;

    public KamailioEndpoints(SupervisionService supervision, CallRegistry calls,
                             ManagedExecutor executor) {
        this.supervision = supervision;
        this.calls = calls;
        this.executor = executor;
    }

    /** Decides on an INVITE to a supervision service code. */
    public KamailioMessages.Decision supervisionInvite(KamailioMessages.SupervisionInvite invite) {
        var outcome = supervision.dialIn(new SupervisionService.DialIn(invite.callId(), invite.fromTag(),
                invite.dialled(), invite.domain(), invite.authUser(), invite.authDomain(), invite.sdp()));
        KamailioMessages.Decision decision;
        if (outcome instanceof SupervisionService.Outcome.Rejected rejected) {
            decision = KamailioMessages.Decision.reject(rejected.answer().code(), rejected.answer().reason());
        } else {
            decision = KamailioMessages.Decision.accept(((SupervisionService.Outcome.Accepted) outcome).sdp());
        }
        return decision;
    }

    /** What became of an accepted supervision INVITE: answered, cancelled or failed. */
    public void supervisionInviteOutcome(KamailioMessages.InviteOutcome outcome) {
        SupervisionService.DialInResult result = switch (outcome.outcome()) {
            case "answered" -> SupervisionService.DialInResult.ANSWERED;
            case "cancelled" -> SupervisionService.DialInResult.CANCELLED;
            case "failed" -> SupervisionService.DialInResult.FAILED;
            default -> throw ProblemException.invalid("outcome", "must be answered, cancelled or failed");
        };
        // Synchronous: Kamailio's answer to the phone is already out, and the first audio should
        // follow it as closely as possible.
        supervision.dialInOutcome(outcome.callId(), outcome.fromTag(), result);
    }

    /** A dialog started, ended, or was put on hold. */
    public void dialogEvent(KamailioMessages.DialogEvent event) {
        switch (event.event()) {
            case "start" -> calls.started(new CallRegistry.Dialog(event.callId(), event.fromTag(), event.toTag(),
                    user(event.caller()), domain(event.caller()), user(event.callee()), domain(event.callee()),
                    event.supervision(), event.hEntry(), event.hId()));
            case "hold", "resume" -> calls.holdChanged(event.callId(), "hold".equals(event.event()));
            default -> {
                Optional<ActiveCall> ended = calls.ended(event.callId());
                boolean supervisionLeg = event.supervision() || ended.map(c -> c.supervisionLeg).orElse(false);
                // BYEs to supervisors go back through Kamailio; never make Kamailio's timer wait on them.
                executor.runAsync(() -> {
                    if (supervisionLeg) {
                        supervision.supervisorLegEnded(event.callId());
                    } else {
                        supervision.callEnded(event.callId());
                    }
                }).exceptionally(e -> {
                    LOG.errorf(e, "handling the end of dialog %s failed", event.callId());
                    return null;
                });
            }
        }
    }

    /** A BYE, INFO digit or re-INVITE on a supervisor's own leg. */
    public void supervisorEvent(KamailioMessages.SupervisorEvent event) {
        switch (event.event()) {
            case "dtmf" -> {
                if (event.digit() == null) {
                    throw ProblemException.invalid("digit", "is required for a dtmf event");
                }
                // Queued in arrival order per leg; returns at once so Kamailio never times out on a burst.
                supervision.sipInfoDigit(event.callId(), event.digit().charAt(0));
            }
            case "bye" -> executor.runAsync(() -> supervision.supervisorLegEnded(event.callId()));
            default -> LOG.infof("re-INVITE on supervisor leg %s answered by Kamailio; media unchanged", event.callId());
        }
    }

    private static String user(KamailioMessages.Party p) {
        return p == null ? null : p.user();
    }

    private static String domain(KamailioMessages.Party p) {
        return p == null ? null : p.domain();
    }
}
