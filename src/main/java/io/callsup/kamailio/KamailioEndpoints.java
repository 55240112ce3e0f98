package io.callsup.kamailio;

import io.callsup.calls.ActiveCall;
import io.callsup.calls.CallRegistry;
import io.callsup.supervision.BusyLampAuthorisation;
import io.callsup.supervision.SupervisionService;
import io.callsup.supervision.SupervisorLegs;
import io.callsup.supervision.port.Traced;
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
    private final BusyLampAuthorisation busyLamps;

    public KamailioEndpoints(SupervisionService supervision, CallRegistry calls,
                             ManagedExecutor executor, BusyLampAuthorisation busyLamps) {
        this.supervision = supervision;
        this.calls = calls;
        this.executor = executor;
        this.busyLamps = busyLamps;
    }

    /** Decides a phone's SUBSCRIBE to a busy lamp (initial or refresh: the same rule each time). */
    public KamailioMessages.BlfDecision blfSubscription(KamailioMessages.BlfSubscription subscription) {
        BusyLampAuthorisation.Answer answer = busyLamps.decide(subscription.authUser(),
                lower(subscription.authDomain()), subscription.watched(), lower(subscription.domain()));
        return answer.accepted() ? KamailioMessages.BlfDecision.accept(answer.presentity())
                : KamailioMessages.BlfDecision.reject(answer.refusal().code(), answer.refusal().reason());
    }

    /** Decides on an INVITE to a supervision service code. */
    @Traced(value = "callsup.dial-in", root = true)
    public KamailioMessages.Decision supervisionInvite(KamailioMessages.SupervisionInvite invite) {
        Optional<KamailioMessages.Decision> refused = DialInInput.refusal(invite.dialled(), invite.sdp());
        if (refused.isPresent()) {
            LOG.infof("supervision INVITE %s refused before decision: %d %s", invite.callId(), refused.get().code(),
                    refused.get().reason());
            return refused.get();
        }
        // SIP domains are case-insensitive; customers' domains are stored in lower case.
        var outcome = supervision.dialIn(new SupervisionService.DialIn(invite.callId(), invite.fromTag(),
                invite.dialled(), lower(invite.domain()), invite.authUser(), lower(invite.authDomain()), invite.sdp()));
        KamailioMessages.Decision decision;
        if (outcome instanceof SupervisionService.Outcome.Rejected rejected) {
            decision = KamailioMessages.Decision.reject(rejected.answer().code(), rejected.answer().reason());
        } else {
            decision = KamailioMessages.Decision.accept(((SupervisionService.Outcome.Accepted) outcome).sdp());
        }
        return decision;
    }

    /** What became of an accepted supervision INVITE: answered, cancelled or failed. */
    @Traced(value = "callsup.dial-in.outcome", root = true)
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
            case "start" -> {
                calls.started(new CallRegistry.Dialog(event.callId(), event.fromTag(), event.toTag(),
                        user(event.caller()), domain(event.caller()), user(event.callee()), domain(event.callee()),
                        event.supervision(), event.hEntry(), event.hId(), event.rtpengine()));
                if (event.supervision()) {
                    SupervisorLegs.started(event.callId(), event.fromTag(), event.toTag());
                }
            }
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
    @Traced(value = "callsup.supervisor-event", root = true)
    public void supervisorEvent(KamailioMessages.SupervisorEvent event) {
        if ("dtmf".equals(event.event()) && event.digit() == null) {
            throw ProblemException.invalid("digit", "is required for a dtmf event");
        }
        // Kamailio checked the dialog; the session checks its own record of the leg's tags too.
        SupervisorLegs.Match match = SupervisorLegs.check(event.callId(), event.fromTag(), event.toTag());
        if (match == SupervisorLegs.Match.NO_SESSION && "bye".equals(event.event())) {
            // The dialog's own end event often gets there first: nothing left to do.
            return;
        }
        if (match == SupervisorLegs.Match.NO_SESSION) {
            LOG.infof("%s on %s: no live session has this supervisor leg; ignored", event.event(), event.callId());
            throw new ProblemException(404, "not-found", "Not found", "no live session on this supervisor leg", null);
        }
        if (match == SupervisorLegs.Match.TAG_MISMATCH) {
            LOG.warnf("%s on supervisor leg %s with tags %s/%s that are not the leg's: ignored", event.event(),
                    event.callId(), event.fromTag(), event.toTag());
            throw new ProblemException(409, "dialog-mismatch", "Not this dialog",
                    "the tags do not name the session's supervisor leg", null);
        }
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

    private static String lower(String domain) {
        return domain == null ? null : domain.toLowerCase(java.util.Locale.ROOT);
    }

    private static String user(KamailioMessages.Party p) {
        return p == null ? null : p.user();
    }

    private static String domain(KamailioMessages.Party p) {
        return p == null ? null : p.domain();
    }
}
