package io.callsup.supervision;

import io.callsup.model.TriggerSource;
import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;

import io.callsup.audit.AuditTrail;
import io.callsup.audit.Denial;
import io.callsup.calls.ActiveCall;
import io.callsup.calls.CallRegistry;
import io.callsup.dialplan.DialPlan;
import io.callsup.dialplan.DialResult;
import io.callsup.dialplan.DialingRule;
import io.callsup.events.LiveEvent;
import io.callsup.kamailio.KamailioConfig;
import io.callsup.kamailio.KamailioRpc;
import io.callsup.media.MediaJoin;
import io.callsup.media.MediaPlan;
import io.callsup.media.MediaSession;
import io.callsup.media.PreparedOffer;
import io.callsup.policy.DenialReason;
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
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import org.eclipse.microprofile.context.ManagedExecutor;
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

    // Application joins (issue 6): live streams, where Kamailio's sockets are, and where the
    // blocking tm.t_uac_wait runs.
    @Inject
    Event<LiveEvent> live;
    @Inject
    KamailioConfig kamailioConfig;
    @Inject
    ManagedExecutor executor;
    @Inject
    io.vertx.core.Vertx vertx;

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
            fire(LiveEvent.SUPERVISION_STARTED, s, null, TriggerSource.CODE);
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
        return switchMode(sessionId, mode, source, null);
    }

    /**
     * As {@link #switchMode(UUID, SupervisionMode, TriggerSource)}, recording the API credential
     * that asked in the mode history.
     */
    public SupervisionSession switchMode(UUID sessionId, SupervisionMode mode, TriggerSource source, ApiActor actor) {
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
                ModeChange.record(row.id, from, switched.mode(), source, actor);
                row.mode = switched.mode();
                audit.modeChanged(row, from, row.mode, source);
                fire(LiveEvent.SUPERVISION_MODE_CHANGED, row, from, source);
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
        if (s.state == SessionState.JOINING && s.joinedBy == SupervisionSession.JoinedBy.APPLICATION) {
            // The service's INVITE to the supervisor's phone is still ringing: CANCEL it.
            cancelOrigination(s);
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
            fire(LiveEvent.SUPERVISION_ENDED, s, null, null);
        } else {
            if (s.joinedBy == SupervisionSession.JoinedBy.APPLICATION) {
                fire(LiveEvent.SUPERVISION_FAILED, s, null, TriggerSource.API);
            }
            audit.denied(new Denial(s.customerId, s.supervisorAccountId, s.agentAccountId, null, s.callId,
                    s.joinedBy == SupervisionSession.JoinedBy.CODE ? TriggerSource.CODE : TriggerSource.API,
                    reason.name(), s.credentialRealm, s.credentialId, s.id));
        }
    }

    // ------------------------------------------------------------------ application joins (issue 6)

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
    }

    /**
     * Application trigger: judges the request by the policy, creates the session (JOINING), has
     * rtpengine make the offer and rings the supervisor's phone with tm.t_uac_wait from Kamailio's
     * media-controller socket. Returns once the phone is being rung; the answer (or busy, no answer,
     * decline) moves the session on in the background: ACTIVE in the mode, or ENDED with the reason.
     */
    public JoinOutcome applicationJoin(ApplicationJoin request) {
        Object[] admitted = new Object[1];
        JoinOutcome outcome = QuarkusTransaction.requiringNew().call(() -> admitApplication(request, admitted));
        if (!(outcome instanceof JoinOutcome.Ringing ringing)) {
            return outcome;
        }
        SupervisionSession session = ringing.session();
        Origination o = (Origination) admitted[0];
        PreparedOffer offer;
        try {
            offer = media.prepareOffer(session.callId, session.agentTag, session.clientTag, session.supervisorTag)
                    .await().atMost(MEDIA_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.errorf(e, "session %s: rtpengine could not make the offer for the supervisor's phone", session.id);
            transition(session.id, s -> finish(s, EndReason.MEDIA_FAILURE));
            return new JoinOutcome.MediaUnavailable(e.getMessage());
        }
        SupervisionSession ringingRow = transition(session.id, s -> {
            if (s.live()) {
                s.mediaDaemon = offer.daemon();
                fire(LiveEvent.SUPERVISION_RINGING, s, null, TriggerSource.API);
            }
        });
        if (!ringingRow.live()) {
            // The call ended while the offer was made.
            abandonQuietly(offer);
            return new JoinOutcome.Ringing(ringingRow);
        }
        executor.runAsync(() -> originate(session.id, offer, o, request.actor(), request.ringTimeout()))
                .exceptionally(e -> {
                    LOG.errorf(e, "session %s: origination failed", session.id);
                    return null;
                });
        return new JoinOutcome.Ringing(ringingRow);
    }

    /** What the INVITE to the supervisor's phone needs. */
    private record Origination(String ruri, String headers) {
    }

    private JoinOutcome admitApplication(ApplicationJoin request, Object[] origination) {
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
        SupervisionSession session = newSession(sup, agent, call, request.mode());
        session.joinedBy = SupervisionSession.JoinedBy.APPLICATION;
        session.dialledIn = false;
        session.credentialRealm = trigger.realm().name();
        session.credentialId = request.actor() == null ? null : request.actor().credentialId();
        session.authorisedByGroup = ((PolicyDecision.Allow) decision).huntGroupId();
        // Our Call-ID for the supervisor's leg: BYE and INFO from that phone carry it.
        session.supervisorCallId = "callsup-" + session.id + "@" + hostOf(kamailioConfig.mcSocket());
        session.persist();
        Customer customer = Customer.findById(request.customerId());
        String domain = customer.sipDomain;
        String display = ("Supervision " + agent.extension).replace("\"", "");
        String headers = "From: \"" + display + "\" <sip:" + sup.extension + "@" + domain + ">\r\n"
                + "To: <sip:" + sup.extension + "@" + domain + ">\r\n"
                + "Call-ID: " + session.supervisorCallId + "\r\n"
                + "CSeq: " + ORIGINATE_CSEQ + " INVITE\r\n"
                + "Contact: <sip:" + kamailioConfig.mcSocket() + ">\r\n"
                + "Allow: INVITE, ACK, BYE, CANCEL, INFO, UPDATE, OPTIONS\r\n"
                + "Content-Type: application/sdp\r\n";
        origination[0] = new Origination("sip:" + sup.extension + "@" + domain, headers);
        return new JoinOutcome.Ringing(session);
    }

    private static final String ORIGINATE_CSEQ = "1";

    private static Denial applicationDenial(ApplicationJoin request, Long supervisorId, Long agentId, String reason) {
        return new Denial(request.customerId(), supervisorId, agentId, null, request.callId(), TriggerSource.API, reason,
                request.trigger().realm().name(), request.actor() == null ? null : request.actor().credentialId());
    }

    private static String hostOf(String socket) {
        int colon = socket.lastIndexOf(':');
        return colon > 0 ? socket.substring(0, colon) : socket;
    }

    /** Rings the supervisor's phone and waits (on a worker thread) for its final answer. */
    private void originate(UUID id, PreparedOffer offer, Origination o, ApiActor actor, Duration ringTimeout) {
        SupervisionSession s = load(id);
        long timer = vertx.setTimer(Math.max(1, ringTimeout.toMillis()), t -> executor.runAsync(() -> {
            SupervisionSession now = load(id);
            if (now.state == SessionState.JOINING) {
                LOG.infof("session %s: supervisor's phone did not answer within %s; cancelling", id, ringTimeout);
                cancelOrigination(now);
            }
        }));
        KamailioRpc.UacReply reply = null;
        try {
            reply = kamailio.uacWait("INVITE", o.ruri(), "sip:" + kamailioConfig.sipSocket(),
                    "udp:" + kamailioConfig.mcSocket(), o.headers(), offer.sdpOffer());
            LOG.infof("session %s: supervisor's phone answered %d %s", id, reply.code(), reply.reason());
        } catch (RuntimeException e) {
            LOG.errorf(e, "session %s: tm.t_uac_wait to %s failed", id, o.ruri());
            cancelOrigination(s);
        } finally {
            vertx.cancelTimer(timer);
        }
        answered(id, offer, reply, actor);
    }

    private void answered(UUID id, PreparedOffer offer, KamailioRpc.UacReply reply, ApiActor actor) {
        boolean ok = reply != null && reply.code() >= 200 && reply.code() < 300;
        synchronized (lockFor(id)) {
            SupervisionSession s = load(id);
            if (!s.live()) {
                // Left through the API, or the call ended, while the phone rang.
                if (ok) {
                    hangUpAnsweredLeg(s, "Supervision ended");
                }
                abandonQuietly(offer);
                locks.remove(id);
                return;
            }
            if (!ok) {
                EndReason reason = failureReason(reply);
                abandonQuietly(offer);
                transition(id, row -> finish(row, reason));
                locks.remove(id);
                return;
            }
            String sdp = sdpOf(reply.message());
            MediaSession joined;
            try {
                if (sdp == null) {
                    throw new IllegalStateException("the supervisor's 200 OK carried no SDP answer");
                }
                joined = media.completeJoin(offer, sdp, s.mode).await().atMost(MEDIA_TIMEOUT);
            } catch (RuntimeException e) {
                LOG.errorf(e, "session %s: media join after answer failed", id);
                transition(id, row -> finish(row, EndReason.MEDIA_FAILURE));
                hangUpAnsweredLeg(s, "Supervision media failure");
                locks.remove(id);
                return;
            }
            transition(id, row -> {
                row.mediaDaemon = joined.daemon();
                row.state = SessionState.ACTIVE;
                ModeChange.record(row.id, null, row.mode, TriggerSource.API, actor);
                audit.started(row, TriggerSource.API);
                fire(LiveEvent.SUPERVISION_STARTED, row, null, TriggerSource.API);
            });
            LOG.infof("session %s: supervisor %d joined call %s in %s (application)", id, s.supervisorAccountId,
                    s.callId, s.mode);
        }
    }

    static EndReason failureReason(KamailioRpc.UacReply reply) {
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

    /** The body of a whole SIP message (after the first empty line), if it is an SDP. */
    static String sdpOf(String message) {
        if (message == null) {
            return null;
        }
        int at = message.indexOf("\r\n\r\n");
        int skip = 4;
        if (at < 0) {
            at = message.indexOf("\n\n");
            skip = 2;
        }
        if (at < 0) {
            return null;
        }
        String body = message.substring(at + skip);
        return body.startsWith("v=0") ? body : null;
    }

    private void cancelOrigination(SupervisionSession s) {
        try {
            kamailio.cancel(s.supervisorCallId, ORIGINATE_CSEQ);
        } catch (RuntimeException e) {
            // Already answered or already failed: the answer handler sorts it out.
            LOG.debugf("session %s: tm.cancel of %s: %s", s.id, s.supervisorCallId, e.getMessage());
        }
    }

    /**
     * BYE to a leg that has just been answered. Kamailio lists a dialog as confirmed only once the
     * ACK passed, which may be a moment after t_uac_wait returned, so try for a short while.
     */
    private void hangUpAnsweredLeg(SupervisionSession s, String reason) {
        for (int i = 0; i < 20; i++) {
            try {
                if (kamailio.endDialog(s.supervisorCallId, reason)) {
                    return;
                }
            } catch (RuntimeException e) {
                LOG.debugf("session %s: BYE to %s: %s", s.id, s.supervisorCallId, e.getMessage());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.errorf("session %s: could not hang up the supervisor's leg %s", s.id, s.supervisorCallId);
    }

    private void abandonQuietly(PreparedOffer offer) {
        try {
            media.abandon(offer).await().atMost(MEDIA_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debugf("abandoning the offer for %s on %s: %s", offer.supervisorTag(), offer.callId(), e.getMessage());
        }
    }

    private void fire(String type, SupervisionSession s, SupervisionMode from, TriggerSource trigger) {
        if (live != null) {
            live.fire(LiveEvent.session(type, s.customerId, s.callId, s.id, s.agentAccountId, s.supervisorAccountId,
                    s.mode, from, trigger, s.endReason));
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
