package io.callsup.supervision;

import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.model.TriggerSource;
import io.callsup.policy.DenialReason;
import io.callsup.policy.Trigger;
import io.callsup.supervision.DialInAdmission.Admission;
import io.callsup.supervision.machine.SessionMachine;
import io.callsup.supervision.machine.SessionTrigger;
import io.callsup.supervision.port.MediaMixer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The way in for every trigger: dialled codes and their confirmation, digits, application
 * requests, hang-ups, call ends, revocation. It finds the session and hands the trigger to the
 * session machine ({@link SessionRunner}); it decides nothing itself.
 */
@ApplicationScoped
public class SupervisionService {

    private static final Logger LOG = Logger.getLogger(SupervisionService.class);

    private final DialInAdmission admission;
    private final ApplicationJoins joins;
    private final SessionRunner runner;
    private final MediaMixer media;
    private final AuditTrail audit;
    private final SupervisionConfig config;
    private final Vertx vertx;
    private final ManagedExecutor executor;
    private final DigitQueue digits;
    private final SupervisionMetrics metrics;

    public SupervisionService(DialInAdmission admission, ApplicationJoins joins, SessionRunner runner,
                              SerialTriggers serial, MediaMixer media, AuditTrail audit, SupervisionConfig config,
                              Vertx vertx, ManagedExecutor executor, SupervisionMetrics metrics) {
        this.admission = admission;
        this.joins = joins;
        this.runner = runner;
        this.media = media;
        this.audit = audit;
        this.config = config;
        this.vertx = vertx;
        this.executor = executor;
        this.metrics = metrics;
        this.digits = new DigitQueue(serial, runner, metrics);
    }

    /** A supervisor's phone dialled a service code; Kamailio waits for this answer. */
    public record DialIn(String callId, String fromTag, String dialled, String domain, String authUser,
                         String authDomain, String sdp) {
    }

    public sealed interface Outcome {
        record Accepted(UUID sessionId, String sdp) implements Outcome {
        }

        record Rejected(SipAnswer answer) implements Outcome {
        }
    }

    /** What Kamailio reports after an accepted decision (kamailio/README.md, "two-phase join"). */
    public enum DialInResult { ANSWERED, CANCELLED, FAILED }

    /**
     * Phase 1 of a dialled join: admission, then the supervisor's party in rtpengine with no flows,
     * all within the decision deadline. The session stays JOINING until Kamailio confirms the 200
     * went out ({@link #dialInOutcome}); nothing is audible before.
     */
    public Outcome dialIn(DialIn request) {
        long start = System.nanoTime();
        Outcome outcome = decideDialIn(request, start + config.decisionDeadline().toNanos());
        metrics.joinDecided("dial-in", outcome instanceof Outcome.Accepted ? "accepted" : "rejected", start);
        return outcome;
    }

    /**
     * One transaction: admission, the supervisor's party in rtpengine, and the session row naming
     * its daemon and slot (it used to take two, and a second row lock). The row is inserted before
     * rtpengine is asked, so a conflicting live session fails the join before any media exists;
     * nobody else sees it before the commit, so a join that fails ends through the machine here.
     */
    private Outcome decideDialIn(DialIn request, long deadline) {
        List<Runnable> afterCommit = new java.util.ArrayList<>();
        Outcome outcome = QuarkusTransaction.requiringNew().call(() -> {
            Admission a = admission.decide(request);
            if (a instanceof Admission.Refuse refuse) {
                audit.denied(refuse.denial());
                LOG.infof("supervision code %s from %s@%s refused: %d %s", request.dialled(), request.authUser(),
                        request.authDomain(), refuse.answer().code(), refuse.answer().reason());
                return new Outcome.Rejected(refuse.answer());
            }
            SupervisionSession session = ((Admission.Admit) a).session();
            SupervisionSession.flush();
            long admitted = System.nanoTime();
            MediaMixer.Prepared prepared;
            try {
                prepared = media.prepareDialIn(session.mediaRef(), request.sdp());
            } catch (MediaMixer.NoCommonCodec e) {
                LOG.infof("session %s: %s", session.id, e.getMessage());
                afterCommit.addAll(runner.applyUncommitted(session,
                        new SessionTrigger.JoinFailed(EndReason.NO_COMMON_CODEC, false)));
                return new Outcome.Rejected(SipAnswer.NO_COMMON_CODEC);
            } catch (RuntimeException e) {
                metrics.mediaError("prepare-dial-in");
                LOG.errorf(e, "media join failed for session %s on call %s", session.id, session.callId);
                afterCommit.addAll(runner.applyUncommitted(session,
                        new SessionTrigger.JoinFailed(EndReason.MEDIA_FAILURE, false)));
                return new Outcome.Rejected(SipAnswer.MEDIA_FAILURE);
            }
            session.mediaDaemon = prepared.ref().daemon();
            // The mixer may have re-used an idle slot of the call: its tag is the one digits will name.
            session.supervisorTag = prepared.ref().supervisorTag();
            if (System.nanoTime() > deadline) {
                // Too late: Kamailio may already have answered 503; never accept what it cannot deliver.
                // The phone gets our refusal (or Kamailio's 503), so there is no leg to release.
                // Where the time went, so a slow decision can be told from a slow rtpengine.
                long started = deadline - config.decisionDeadline().toNanos();
                LOG.warnf("session %s: decision missed its deadline of %s (admission %d ms, media %d ms); refused",
                        session.id, config.decisionDeadline(), (admitted - started) / 1_000_000,
                        (System.nanoTime() - admitted) / 1_000_000);
                afterCommit.addAll(runner.applyUncommitted(session,
                        new SessionTrigger.JoinFailed(EndReason.TIMEOUT, false)));
                return new Outcome.Rejected(SipAnswer.MEDIA_FAILURE);
            }
            UUID id = session.id;
            afterCommit.add(() -> vertx.setTimer(config.confirmDeadline().toMillis(), t -> executor.runAsync(() ->
                    runner.apply(id, new SessionTrigger.JoinTimedOut()))));
            LOG.infof("session %s: %s may supervise call %s in %s once the answer is confirmed", session.id,
                    request.authUser(), session.callId, session.mode);
            return new Outcome.Accepted(session.id, prepared.sdp());
        });
        afterCommit.forEach(Runnable::run);
        return outcome;
    }

    /** Phase 2 of a dialled join: Kamailio says whether the 200 reached the phone's transaction. */
    public void dialInOutcome(String supervisorCallId, String fromTag, DialInResult result) {
        SessionTrigger trigger = switch (result) {
            case ANSWERED -> new SessionTrigger.Answered();
            case CANCELLED -> new SessionTrigger.Cancelled();
            case FAILED -> new SessionTrigger.JoinTimedOut();
        };
        // Found and locked in the trigger's own transaction: the answer reaches rtpengine one
        // transaction and one statement sooner than with a separate look-up.
        Optional<SupervisionSession> row = runner.applyToLocked(() -> SupervisionSession
                .lockLiveBySupervisorLeg(supervisorCallId)
                .filter(s -> s.state == SessionState.JOINING && s.dialledIn && fromTag.equals(s.supervisorFromTag)),
                s -> trigger, null);
        if (row.isEmpty()) {
            LOG.infof("dial-in outcome %s for %s matches no joining session: ignored", result, supervisorCallId);
        }
    }

    /** An RFC 4733 digit that rtpengine's DTMF log attributed to a tag in a call. Queued in arrival order. */
    public void rfc4733Digit(String callId, String sourceTag, char digit) {
        // Digits of agents and clients are logged too; they find no session and are no trigger.
        digits.queue(callId + "/" + sourceTag, digit, TriggerSource.RFC4733,
                () -> SupervisionSession.lockLiveBySupervisorTag(callId, sourceTag));
    }

    /** A SIP INFO digit on a supervisor's own dialog. Queued in arrival order. */
    public void sipInfoDigit(String supervisorCallId, char digit) {
        digits.queue(supervisorCallId, digit, TriggerSource.SIP_INFO,
                () -> SupervisionSession.lockLiveBySupervisorLeg(supervisorCallId));
    }

    /** Moves a live session to {@code mode} (API), if the policy that admitted it still allows it; else it ends as revoked. */
    public SupervisionSession switchMode(UUID sessionId, SupervisionMode mode, TriggerSource source, ApiActor actor) {
        return runner.apply(sessionId, s -> new SessionTrigger.Switch(mode, source, Authorisation.stillAllowed(s)), actor)
                .orElseThrow();
    }

    /** Takes a supervisor out: the machine removes its media, then releases its phone where needed. */
    public void leave(UUID sessionId, EndReason reason) {
        runner.apply(sessionId, new SessionTrigger.Leave(reason));
    }

    /**
     * An application join that outlived ring timeout plus t_uac_wait: the replica that rang the
     * phone died, so nobody will report its answer. It never became active.
     */
    public void abandonJoin(UUID sessionId) {
        runner.apply(sessionId, new SessionTrigger.JoinFailed(EndReason.ORIGINATION_FAILED, false));
    }

    /** The supervisor hung up (BYE on its leg, or its dialog vanished). Agent and client go on. */
    public void supervisorLegEnded(String supervisorCallId) {
        QuarkusTransaction.requiringNew().call(() -> SupervisionSession.liveBySupervisorLeg(supervisorCallId).map(s -> s.id))
                .ifPresent(id -> runner.apply(id, new SessionTrigger.Leave(EndReason.SUPERVISOR_HUNG_UP)));
    }

    /**
     * The BYE Reason for a supervisor leg Kamailio still holds although its latest session is over
     * (ENDING or ENDED): its release was lost. Empty while the session is live, and for a leg no
     * session names (not ours to judge).
     */
    public Optional<String> lostRelease(String supervisorCallId) {
        return QuarkusTransaction.requiringNew().call(() -> SupervisionSession.<SupervisionSession>find(
                        "supervisorCallId = ?1 order by startedAt desc", supervisorCallId).firstResultOptional()
                .filter(s -> s.state == SessionState.ENDING || s.state == SessionState.ENDED)
                .map(s -> SessionMachine.byeText(s.endReason)));
    }

    /** The supervised call ended: every supervisor gets a BYE with a Reason, and rtpengine is cleaned. */
    public void callEnded(String callId) {
        List<UUID> live = QuarkusTransaction.requiringNew().call(() ->
                SupervisionSession.liveOnCall(callId).stream().map(s -> s.id).toList());
        live.forEach(id -> runner.apply(id, new SessionTrigger.CallEnded()));
        if (!live.isEmpty()) {
            try {
                media.callEnded(callId);
            } catch (RuntimeException e) {
                LOG.errorf(e, "rtpengine clean-up of ended call %s failed; the media reconciler retries", callId);
            }
        }
    }

    /**
     * Ends, as revoked, the live sessions of a customer (or only those of one account, as supervisor
     * or agent) that is about to be deleted: ended while the customer and account still exist, so
     * their audit events still name them. Returns how many ended.
     */
    public int revokeBeforeDeletion(long customerId, Long accountId) {
        List<UUID> live = QuarkusTransaction.requiringNew().call(() -> SupervisionSession.liveOfCustomer(customerId)
                .stream().filter(s -> accountId == null || s.supervisorAccountId == accountId
                        || s.agentAccountId == accountId).map(s -> s.id).toList());
        live.forEach(id -> runner.apply(id, new SessionTrigger.Revoked()));
        return live.size();
    }

    /**
     * Re-judges every live session of a customer after a change to who may supervise (feature
     * switched off, flag or membership removed, account, credential or customer deleted): the ones
     * no longer allowed end now, as revoked. Returns how many ended.
     */
    public int reauthorise(long customerId) {
        List<UUID> live = QuarkusTransaction.requiringNew().call(() ->
                SupervisionSession.liveOfCustomer(customerId).stream().map(s -> s.id).toList());
        int revoked = 0;
        for (UUID id : live) {
            boolean[] ended = {false};
            runner.apply(id, s -> {
                if (s.state == SessionState.ENDING || Authorisation.stillAllowed(s)) {
                    return null;
                }
                ended[0] = true;
                return new SessionTrigger.Revoked();
            }, null);
            revoked += ended[0] ? 1 : 0;
        }
        if (revoked > 0) {
            LOG.infof("customer %d: %d supervision session(s) revoked", customerId, revoked);
        }
        return revoked;
    }

    /** An application asks that {@code supervisorAccountId} joins call {@code callId} in {@code mode}. */
    public record ApplicationJoin(long customerId, String callId, long supervisorAccountId, SupervisionMode mode,
                                  Trigger.Application trigger, ApiActor actor, Duration ringTimeout) {
    }

    /** What became of an application's join request, before the phone answers. */
    public sealed interface JoinOutcome {
        /** The supervisor's phone is being rung; the session is JOINING. */
        record Ringing(SupervisionSession session) implements JoinOutcome {
        }

        /** No such call of this customer in progress (also said for another customer's call). */
        record CallNotFound() implements JoinOutcome {
        }

        /** The call was supervised in this customer before and has ended since. */
        record CallEnded() implements JoinOutcome {
        }

        record SupervisorNotFound() implements JoinOutcome {
        }

        /** Neither party of the call is an account of the customer. */
        record NoAgent() implements JoinOutcome {
        }

        record AlreadySupervising(UUID sessionId) implements JoinOutcome {
        }

        record Denied(DenialReason reason) implements JoinOutcome {
        }

        record MediaUnavailable(String detail) implements JoinOutcome {
        }

        /** Kamailio cannot be asked: nothing was admitted. */
        record EdgeUnavailable() implements JoinOutcome {
        }
    }

    /** Application trigger: see {@link ApplicationJoins}. */
    public JoinOutcome applicationJoin(ApplicationJoin request) {
        long start = System.nanoTime();
        JoinOutcome outcome = joins.join(request);
        metrics.joinDecided("api", outcome instanceof JoinOutcome.Ringing ? "ringing" : "refused", start);
        return outcome;
    }
}
