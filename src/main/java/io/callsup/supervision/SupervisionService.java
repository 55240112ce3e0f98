package io.callsup.supervision;

import io.callsup.audit.AuditTrail;
import io.callsup.audit.Denial;
import io.callsup.calls.ActiveCall;
import io.callsup.calls.CallRegistry;
import io.callsup.dialplan.DialPlan;
import io.callsup.dialplan.DialResult;
import io.callsup.dialplan.DialingRule;
import io.callsup.kamailio.KamailioRpc;
import io.callsup.media.MediaJoin;
import io.callsup.media.MediaPlan;
import io.callsup.media.MediaSession;
import io.callsup.policy.PolicyDecision;
import io.callsup.policy.Realm;
import io.callsup.policy.SupervisionPolicy;
import io.callsup.policy.Trigger;
import io.callsup.tenant.Account;
import io.callsup.tenant.ApiCredential;
import io.callsup.tenant.Customer;
import io.callsup.tenant.DialingRuleSettings;
import io.callsup.tenant.Role;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The supervision state machine: joining → active(mode) → ended(reason). Every trigger (dialled
 * code, RFC 4733 digit, SIP INFO digit, hang-ups, media failure, application requests) enters here
 * and is judged by the same policy. State lives in PostgreSQL; media commands run between two short
 * transactions so no database lock is held while rtpengine is asked.
 */
@ApplicationScoped
public class SupervisionService {

    private static final Logger LOG = Logger.getLogger(SupervisionService.class);
    private static final Duration MEDIA_TIMEOUT = Duration.ofSeconds(10);

    private final MediaPlan media;
    private final KamailioRpc kamailio;
    private final CallRegistry calls;
    private final AuditTrail audit;
    // Serialises triggers per session inside this replica (two quick digits must not interleave).
    private final Map<UUID, Object> locks = new ConcurrentHashMap<>();

    public SupervisionService(MediaPlan media, KamailioRpc kamailio, CallRegistry calls, AuditTrail audit) {
        this.media = media;
        this.kamailio = kamailio;
        this.calls = calls;
        this.audit = audit;
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

    /** What the first transaction of a join decided. */
    private sealed interface Admission {
        record Admit(SupervisionSession session) implements Admission {
        }

        record Refuse(SipAnswer answer, Denial denial) implements Admission {
        }
    }

    public Outcome dialIn(DialIn request) {
        Admission admission = QuarkusTransaction.requiringNew().call(() -> admit(request));
        if (admission instanceof Admission.Refuse refuse) {
            LOG.infof("supervision code %s from %s@%s refused: %d %s", request.dialled(), request.authUser(),
                    request.authDomain(), refuse.answer().code(), refuse.answer().reason());
            return new Outcome.Rejected(refuse.answer());
        }
        SupervisionSession session = ((Admission.Admit) admission).session();
        MediaJoin join;
        try {
            join = media.join(session.callId, session.agentTag, session.clientTag, session.supervisorTag, request.sdp(),
                    session.mode).await().atMost(MEDIA_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.errorf(e, "media join failed for session %s on call %s", session.id, session.callId);
            transition(session.id, s -> finish(s, EndReason.MEDIA_FAILURE));
            return new Outcome.Rejected(SipAnswer.MEDIA_FAILURE);
        }
        transition(session.id, s -> {
            s.mediaDaemon = join.session().daemon();
            s.state = SessionState.ACTIVE;
            ModeChange.record(s.id, null, s.mode, TriggerSource.CODE);
            audit.started(s, TriggerSource.CODE);
        });
        LOG.infof("session %s: %s supervises call %s in %s", session.id, request.authUser(), session.callId, session.mode);
        return new Outcome.Accepted(session.id, join.sdpAnswer());
    }

    private Admission admit(DialIn request) {
        Admission admission = decide(request);
        if (admission instanceof Admission.Refuse refuse) {
            audit.denied(refuse.denial());
        }
        return admission;
    }

    private Admission decide(DialIn request) {
        Optional<Customer> callerCustomer = Customer.findBySipDomain(request.authDomain());
        Optional<Account> supervisor = callerCustomer.flatMap(c -> Account.findBySipUsername(c.id, request.authUser()));
        if (supervisor.isEmpty()) {
            return refuse(SipAnswer.CALLER_UNKNOWN, callerCustomer.map(c -> c.id).orElse(null), null, null, request,
                    null, "CALLER_UNKNOWN");
        }
        Account sup = supervisor.get();
        long customerId = supervisor.get().customerId;
        DialingRule rule = ruleOf(customerId);
        DialResult parsed = DialPlan.parse(request.dialled(), rule);
        if (parsed instanceof DialResult.NotSupervision) {
            return refuse(SipAnswer.NOT_A_CODE, customerId, sup.id, null, request, null, "NOT_A_SUPERVISION_CODE");
        }
        if (parsed instanceof DialResult.Malformed malformed) {
            return refuse(SipAnswer.malformed(malformed.reason()), customerId, sup.id, null, request, null,
                    "MALFORMED_CODE");
        }
        DialResult.Supervise code = (DialResult.Supervise) parsed;
        // The R-URI's domain names the customer whose extension was dialled.
        Optional<Customer> targetCustomer = request.domain() == null || request.domain().equals(request.authDomain())
                ? callerCustomer : Customer.findBySipDomain(request.domain());
        Optional<Account> target = targetCustomer.flatMap(c -> Account.findByExtension(c.id, code.extension()));
        if (target.isEmpty()) {
            return refuse(SipAnswer.UNKNOWN_EXTENSION, customerId, sup.id, null, request, null, "UNKNOWN_EXTENSION");
        }
        Optional<ActiveCall> call = calls.supervisableCallOf(target.get().id);
        boolean supervisionLeg = call.isEmpty() && calls.onlySupervisionLegs(target.get().id);
        PolicyDecision decision = SupervisionPolicy.evaluate(PolicyInputs.gather(new Trigger.DialledCode(),
                supervisor.get(), target.get(), supervisionLeg));
        // Another customer's agent is never named in our customer's audit trail.
        Long agentId = decision instanceof PolicyDecision.Deny d && d.reason() == io.callsup.policy.DenialReason.NOT_SAME_CUSTOMER
                ? null : target.get().id;
        String callId = call.map(c -> c.callId).orElse(null);
        if (decision instanceof PolicyDecision.Deny deny) {
            return refuse(SipAnswer.denied(deny.reason()), customerId, sup.id, agentId, request,
                    agentId == null ? null : callId, deny.reason().name());
        }
        if (call.isEmpty()) {
            return refuse(SipAnswer.AGENT_IDLE, customerId, sup.id, agentId, request, null, "AGENT_IDLE");
        }
        SupervisionSession session = newSession(supervisor.get(), target.get(), call.get(), code.mode());
        session.joinedBy = SupervisionSession.JoinedBy.CODE;
        session.dialledIn = true;
        session.supervisorCallId = request.callId();
        session.supervisorFromTag = request.fromTag();
        session.authorisedByGroup = ((PolicyDecision.Allow) decision).huntGroupId();
        session.persist();
        return new Admission.Admit(session);
    }

    private static Admission refuse(SipAnswer answer, Long customerId, Long supervisorId, Long agentId, DialIn request,
                                    String callId, String reason) {
        return new Admission.Refuse(answer, new Denial(customerId, supervisorId, agentId, request.dialled(), callId,
                TriggerSource.CODE, reason, null, null));
    }

    private static SupervisionSession newSession(Account supervisor, Account agent, ActiveCall call, SupervisionMode mode) {
        SupervisionSession session = new SupervisionSession();
        session.id = UUID.randomUUID();
        session.customerId = supervisor.customerId;
        session.supervisorAccountId = supervisor.id;
        session.agentAccountId = agent.id;
        session.callId = call.callId;
        session.agentTag = call.tagOf(agent.id);
        session.clientTag = call.otherTag(agent.id);
        session.clientNumber = call.otherNumber(agent.id);
        // Our own tag, unique per session: the supervisor's SIP tags belong to another dialog.
        session.supervisorTag = "sup-" + session.id.toString().substring(0, 13);
        session.state = SessionState.JOINING;
        session.mode = mode;
        session.startedAt = Instant.now();
        return session;
    }

    /** An RFC 4733 digit that rtpengine's DTMF log attributed to a tag in a call. */
    public void rfc4733Digit(String callId, String sourceTag, char digit) {
        Optional<UUID> id = QuarkusTransaction.requiringNew().call(() ->
                SupervisionSession.liveBySupervisorTag(callId, sourceTag).map(s -> s.id));
        // Digits of agents and clients are logged too; they are no trigger.
        id.ifPresent(sessionId -> digit(sessionId, digit, TriggerSource.RFC4733));
    }

    /** A SIP INFO digit on a supervisor's own dialog. */
    public void sipInfoDigit(String supervisorCallId, char digit) {
        Optional<UUID> id = QuarkusTransaction.requiringNew().call(() ->
                SupervisionSession.liveBySupervisorLeg(supervisorCallId).map(s -> s.id));
        if (id.isEmpty()) {
            LOG.debugf("INFO digit on %s, which is no live supervision leg: ignored", supervisorCallId);
        }
        id.ifPresent(sessionId -> digit(sessionId, digit, TriggerSource.SIP_INFO));
    }

    private void digit(UUID sessionId, char digit, TriggerSource source) {
        Optional<SupervisionMode> wanted = QuarkusTransaction.requiringNew().call(() -> {
            SupervisionSession s = SupervisionSession.findById(sessionId);
            return DialPlan.digit(String.valueOf(digit), ruleOf(s.customerId));
        });
        if (wanted.isEmpty()) {
            LOG.debugf("session %s: digit %s is no mode code, ignored", sessionId, digit);
            return;
        }
        switchMode(sessionId, wanted.get(), source);
    }

    /** Moves a live session to {@code mode}, if the policy that admitted it still allows it. */
    public SupervisionSession switchMode(UUID sessionId, SupervisionMode mode, TriggerSource source) {
        synchronized (lockFor(sessionId)) {
            SupervisionSession s = load(sessionId);
            if (s.state != SessionState.ACTIVE || s.mode == mode) {
                return s;
            }
            PolicyDecision decision = QuarkusTransaction.requiringNew().call(() -> SupervisionPolicy.evaluate(
                    PolicyInputs.gather(new Trigger.Switch(joinedBy(s)), Account.findById(s.supervisorAccountId),
                            Account.findById(s.agentAccountId), false)));
            if (decision instanceof PolicyDecision.Deny deny) {
                LOG.warnf("session %s: switch to %s refused: %s", sessionId, mode, deny.reason());
                QuarkusTransaction.requiringNew().run(() -> audit.denied(new Denial(s.customerId, s.supervisorAccountId,
                        s.agentAccountId, null, s.callId, source, deny.reason().name(), s.credentialRealm,
                        s.credentialId, s.id)));
                return s;
            }
            MediaSession switched;
            try {
                switched = (source == TriggerSource.RFC4733 ? media.switchModeOnDigit(s.media(), mode)
                        : media.switchMode(s.media(), mode)).await().atMost(MEDIA_TIMEOUT);
            } catch (RuntimeException e) {
                LOG.errorf(e, "session %s: media switch to %s failed; ending the session", sessionId, mode);
                mediaFailed(sessionId);
                return load(sessionId);
            }
            return transition(sessionId, row -> {
                SupervisionMode from = row.mode;
                ModeChange.record(row.id, from, switched.mode(), source);
                row.mode = switched.mode();
                audit.modeChanged(row, from, row.mode, source);
            });
        }
    }

    /** The supervisor hung up (BYE on its leg, or its dialog vanished). Agent and client go on. */
    public void supervisorLegEnded(String supervisorCallId) {
        QuarkusTransaction.requiringNew().call(() -> SupervisionSession.liveBySupervisorLeg(supervisorCallId).map(s -> s.id))
                .ifPresent(id -> leave(id, EndReason.SUPERVISOR_HUNG_UP, null));
    }

    /**
     * Takes a supervisor out of the call: media first, then the state, then (when asked) a BYE to
     * the supervisor's phone with {@code byeReason}.
     */
    public void leave(UUID sessionId, EndReason reason, String byeReason) {
        synchronized (lockFor(sessionId)) {
            SupervisionSession s = load(sessionId);
            if (!s.live()) {
                return;
            }
            if (s.mediaDaemon != null) {
                try {
                    media.leave(s.media()).await().atMost(MEDIA_TIMEOUT);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "session %s: media leave failed; the call's media is left to rtpengine's timeout",
                            sessionId);
                }
            }
            transition(sessionId, row -> finish(row, reason));
            if (byeReason != null) {
                byeSupervisor(s, byeReason);
            }
            locks.remove(sessionId);
        }
    }

    /** The supervised call ended: every supervisor gets a BYE with a Reason, and rtpengine is cleaned. */
    public void callEnded(String callId) {
        List<UUID> live = QuarkusTransaction.requiringNew().call(() ->
                SupervisionSession.liveOnCall(callId).stream().map(s -> s.id).toList());
        for (UUID id : live) {
            synchronized (lockFor(id)) {
                SupervisionSession s = load(id);
                if (s.live()) {
                    transition(id, row -> finish(row, EndReason.CALL_ENDED));
                    byeSupervisor(s, "Supervised call ended");
                }
                locks.remove(id);
            }
        }
        if (!live.isEmpty()) {
            try {
                media.callEnded(callId).await().atMost(MEDIA_TIMEOUT);
            } catch (RuntimeException e) {
                LOG.errorf(e, "rtpengine clean-up of ended call %s failed", callId);
            }
        }
    }

    private void mediaFailed(UUID sessionId) {
        SupervisionSession s = load(sessionId);
        try {
            media.leave(s.media()).await().atMost(MEDIA_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debugf("session %s: leave after media failure also failed: %s", sessionId, e.getMessage());
        }
        transition(sessionId, row -> finish(row, EndReason.MEDIA_FAILURE));
        byeSupervisor(s, "Supervision media failure");
    }

    private void byeSupervisor(SupervisionSession s, String reason) {
        if (s.supervisorCallId == null) {
            return;
        }
        try {
            if (!kamailio.endDialog(s.supervisorCallId, reason)) {
                LOG.debugf("session %s: supervisor dialog %s already gone", s.id, s.supervisorCallId);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "session %s: BYE to the supervisor's leg %s failed", s.id, s.supervisorCallId);
        }
    }

    /** Ends a session; one that never became active is audited as a refused attempt, not as an end. */
    private void finish(SupervisionSession s, EndReason reason) {
        boolean wasActive = s.state == SessionState.ACTIVE;
        s.state = SessionState.ENDED;
        s.endReason = reason;
        s.endedAt = Instant.now();
        if (wasActive) {
            audit.ended(s);
        } else {
            audit.denied(new Denial(s.customerId, s.supervisorAccountId, s.agentAccountId, null, s.callId,
                    s.joinedBy == SupervisionSession.JoinedBy.CODE ? TriggerSource.CODE : TriggerSource.API,
                    reason.name(), s.credentialRealm, s.credentialId, s.id));
        }
    }

    private static Trigger joinedBy(SupervisionSession s) {
        if (s.joinedBy == SupervisionSession.JoinedBy.CODE) {
            return new Trigger.DialledCode();
        }
        Optional<ApiCredential> credential = s.credentialId == null ? Optional.empty()
                : ApiCredential.findByIdOptional(s.credentialId);
        Set<io.callsup.policy.Permission> permissions = credential.flatMap(c -> c.roleId == null ? Optional.empty()
                : Role.<Role>findByIdOptional(c.roleId)).map(Role::permissionSet).orElse(Set.of());
        return new Trigger.Application(Realm.valueOf(s.credentialRealm), permissions,
                credential.map(c -> c.accountId).orElse(null));
    }

    static DialingRule ruleOf(long customerId) {
        return DialingRuleSettings.<DialingRuleSettings>findByIdOptional(customerId)
                .map(DialingRuleSettings::effective).orElse(DialingRule.DEFAULT);
    }

    private SupervisionSession load(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> SupervisionSession.<SupervisionSession>findById(id));
    }

    private SupervisionSession transition(UUID id, java.util.function.Consumer<SupervisionSession> change) {
        return QuarkusTransaction.requiringNew().call(() -> {
            SupervisionSession s = SupervisionSession.findById(id);
            change.accept(s);
            return s;
        });
    }

    private Object lockFor(UUID id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }
}
