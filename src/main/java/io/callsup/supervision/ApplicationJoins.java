package io.callsup.supervision;

import io.callsup.calls.ActiveCall;
import io.callsup.calls.CallRegistry;
import io.callsup.model.EndReason;
import io.callsup.model.TriggerSource;
import io.callsup.events.LiveEvent;
import io.callsup.policy.DenialReason;
import io.callsup.policy.PolicyDecision;
import io.callsup.policy.SupervisionPolicy;
import io.callsup.policy.Trigger;
import io.callsup.supervision.port.Traced;
import io.callsup.supervision.SupervisionService.ApplicationJoin;
import io.callsup.supervision.SupervisionService.JoinOutcome;
import io.callsup.supervision.machine.SessionTrigger;
import io.callsup.supervision.port.MediaMixer;
import io.callsup.supervision.port.SupervisorPhone;
import io.callsup.tenant.Account;
import io.callsup.tenant.Customer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Application joins: the service rings the supervisor's phone (tm.t_uac_wait from Kamailio's
 * media-controller socket) with rtpengine's offer. The session is JOINING with a party but no flows
 * until the phone answered and its SDP answer is in rtpengine; then {@link SessionTrigger.Answered}
 * switches the flows on through the machine like any other join.
 */
@ApplicationScoped
public class ApplicationJoins {

    private static final Logger LOG = Logger.getLogger(ApplicationJoins.class);

    private final MediaMixer media;
    private final SupervisorPhone phone;
    private final SessionRunner runner;
    private final AuditTrail audit;
    private final ManagedExecutor executor;
    private final io.vertx.core.Vertx vertx;

    public ApplicationJoins(MediaMixer media, SupervisorPhone phone, SessionRunner runner, AuditTrail audit,
                            ManagedExecutor executor, io.vertx.core.Vertx vertx) {
        this.media = media;
        this.phone = phone;
        this.runner = runner;
        this.audit = audit;
        this.executor = executor;
        this.vertx = vertx;
    }

    /** Whom to ring, and what the phone shows. */
    private record Origination(String extension, String domain, String displayName) {
    }

    @Traced("callsup.api-join")
    public JoinOutcome join(ApplicationJoin request) {
        // Without Kamailio the phone cannot be rung: say so now rather than accept and fail later.
        if (!phone.reachable()) {
            return new JoinOutcome.EdgeUnavailable();
        }
        Object[] admitted = new Object[1];
        JoinOutcome outcome = QuarkusTransaction.requiringNew().call(() -> admit(request, admitted));
        if (!(outcome instanceof JoinOutcome.Ringing ringing)) {
            return outcome;
        }
        SupervisionSession session = ringing.session();
        Origination o = (Origination) admitted[0];
        MediaMixer.Prepared offer;
        try {
            offer = media.prepareOrigination(session.mediaRef());
        } catch (RuntimeException e) {
            LOG.errorf(e, "session %s: rtpengine could not make the offer for the supervisor's phone", session.id);
            runner.apply(session.id, new SessionTrigger.JoinFailed(EndReason.MEDIA_FAILURE, false));
            return new JoinOutcome.MediaUnavailable(e.getMessage());
        }
        SupervisionSession row = QuarkusTransaction.requiringNew().call(() -> {
            SupervisionSession s = SupervisionSession.lock(session.id).orElseThrow();
            s.mediaDaemon = offer.ref().daemon();
            s.supervisorTag = offer.ref().supervisorTag();
            if (s.live()) {
                runner.fire(LiveEvent.SUPERVISION_RINGING, s, null, TriggerSource.API);
            }
            return s;
        });
        if (row.state != io.callsup.model.SessionState.JOINING) {
            // Left, or the call ended, while the offer was made: the machine has ended it; clean the party.
            runner.apply(row.id, new SessionTrigger.JoinFailed(EndReason.ORIGINATION_FAILED, false));
            return new JoinOutcome.Ringing(row);
        }
        executor.runAsync(() -> originate(row.id, offer.sdp(), o, request.actor(), request.ringTimeout()))
                .exceptionally(e -> {
                    LOG.errorf(e, "session %s: origination failed", row.id);
                    runner.apply(row.id, new SessionTrigger.JoinFailed(EndReason.ORIGINATION_FAILED, false));
                    return null;
                });
        return new JoinOutcome.Ringing(row);
    }

    private JoinOutcome admit(ApplicationJoin request, Object[] origination) {
        Optional<ActiveCall> found = ActiveCall.<ActiveCall>findByIdOptional(request.callId())
                .filter(c -> c.customerId == request.customerId());
        if (found.isEmpty()) {
            boolean known = SupervisionSession.count("customerId = ?1 and callId = ?2", request.customerId(),
                    request.callId()) > 0;
            return known ? new JoinOutcome.CallEnded() : new JoinOutcome.CallNotFound();
        }
        ActiveCall call = found.get();
        Optional<Account> supervisor = Account.findOwned(request.customerId(), request.supervisorAccountId());
        if (supervisor.isEmpty()) {
            return new JoinOutcome.SupervisorNotFound();
        }
        Account sup = supervisor.get();
        // A supervision leg's account side is the supervisor on it (From of dialled and originated legs).
        Long agentId = call.supervisionLeg ? call.callerAccountId : CallRegistry.agentOf(call);
        Account agent = agentId == null ? null : Account.findById(agentId);
        Trigger.Application trigger = request.trigger();
        if (agent == null) {
            if (!call.supervisionLeg) {
                return new JoinOutcome.NoAgent();
            }
            audit.denied(applicationDenial(request, sup.id, null, DenialReason.TARGET_IS_SUPERVISION_LEG.name()));
            return new JoinOutcome.Denied(DenialReason.TARGET_IS_SUPERVISION_LEG);
        }
        PolicyDecision decision = SupervisionPolicy.evaluate(PolicyInputs.gather(trigger, sup, agent,
                call.supervisionLeg));
        if (decision instanceof PolicyDecision.Deny deny) {
            audit.denied(applicationDenial(request, sup.id, agent.id, deny.reason().name()));
            return new JoinOutcome.Denied(deny.reason());
        }
        Optional<SupervisionSession> already = SupervisionSession.liveOnCall(call.callId).stream()
                .filter(s -> s.supervisorAccountId == sup.id).findFirst();
        if (already.isPresent()) {
            return new JoinOutcome.AlreadySupervising(already.get().id);
        }
        SupervisionSession session = DialInAdmission.newSession(sup, agent, call, request.mode());
        session.joinedBy = SupervisionSession.JoinedBy.APPLICATION;
        session.dialledIn = false;
        session.credentialRealm = trigger.realm().name();
        session.credentialId = request.actor() == null ? null : request.actor().credentialId();
        session.authorisedByGroup = ((PolicyDecision.Allow) decision).huntGroupId();
        // Our Call-ID for the supervisor's leg: BYE and INFO from that phone carry it (and the tags
        // Kamailio's dialog start reports, SupervisorLegs).
        session.supervisorCallId = phone.newLegCallId();
        session.persist();
        Customer customer = Customer.findById(request.customerId());
        origination[0] = new Origination(sup.extension, customer.sipDomain, "Supervision " + agent.extension);
        return new JoinOutcome.Ringing(session);
    }

    private static Denial applicationDenial(ApplicationJoin request, Long supervisorId, Long agentId, String reason) {
        return new Denial(request.customerId(), supervisorId, agentId, null, request.callId(), TriggerSource.API, reason,
                request.trigger().realm().name(), request.actor() == null ? null : request.actor().credentialId());
    }

    /** Rings the supervisor's phone and waits (on a worker thread) for its final answer. */
    private void originate(UUID id, String sdpOffer, Origination o, ApiActor actor, Duration ringTimeout) {
        String supervisorCallId = QuarkusTransaction.requiringNew().call(() ->
                SupervisionSession.<SupervisionSession>findById(id).supervisorCallId);
        long timer = vertx.setTimer(Math.max(1, ringTimeout.toMillis()), t -> executor.runAsync(() -> {
            LOG.infof("session %s: supervisor's phone did not answer within %s", id, ringTimeout);
            runner.apply(id, new SessionTrigger.JoinFailed(EndReason.NO_ANSWER, false));
            phone.cancelRinging(supervisorCallId);
        }));
        SupervisorPhone.Answer reply = null;
        try {
            reply = phone.ring(supervisorCallId, o.extension(), o.domain(), o.displayName(), sdpOffer);
            LOG.infof("session %s: supervisor's phone answered %d %s", id, reply.code(), reply.reason());
        } catch (RuntimeException e) {
            LOG.errorf(e, "session %s: ringing %s@%s failed", id, o.extension(), o.domain());
            phone.cancelRinging(supervisorCallId);
        } finally {
            vertx.cancelTimer(timer);
        }
        answered(id, reply, actor);
    }

    private void answered(UUID id, SupervisorPhone.Answer reply, ApiActor actor) {
        boolean ok = reply != null && reply.code() >= 200 && reply.code() < 300;
        if (!ok) {
            runner.apply(id, new SessionTrigger.JoinFailed(failureReason(reply), false));
            return;
        }
        String sdp = reply.sdp();
        // The phone is up. A session that ended while it rang only needs the answered leg hung up
        // (its media is already gone); a media failure ends it with a BYE.
        boolean[] endedWhileRinging = {false};
        runner.apply(id, row -> {
            if (row.state != io.callsup.model.SessionState.JOINING) {
                endedWhileRinging[0] = true;
                return null;
            }
            try {
                if (sdp == null) {
                    throw new IllegalStateException("the supervisor's 200 OK carried no SDP answer");
                }
                media.completeOrigination(row.mediaRef(), sdp);
                return new SessionTrigger.Answered();
            } catch (RuntimeException e) {
                LOG.errorf(e, "session %s: media join after answer failed", id);
                return new SessionTrigger.JoinFailed(EndReason.MEDIA_FAILURE, true);
            }
        }, actor);
        if (endedWhileRinging[0]) {
            SupervisionSession row = QuarkusTransaction.requiringNew().call(() -> SupervisionSession.<SupervisionSession>findById(id));
            runner.hangUpLeg(row, "Supervision ended");
        }
    }

    static EndReason failureReason(SupervisorPhone.Answer reply) {
        if (reply == null) {
            return EndReason.ORIGINATION_FAILED;
        }
        return switch (reply.code()) {
            case 486, 600 -> EndReason.BUSY;
            case 603 -> EndReason.DECLINED;
            case 408, 480, 487 -> EndReason.NO_ANSWER;
            default -> EndReason.ORIGINATION_FAILED;
        };
    }
}
