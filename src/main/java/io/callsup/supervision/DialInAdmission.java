package io.callsup.supervision;

import io.callsup.calls.ActiveCall;
import io.callsup.calls.CallRegistry;
import io.callsup.dialplan.DialPlan;
import io.callsup.dialplan.DialResult;
import io.callsup.dialplan.DialingRule;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.model.TriggerSource;
import io.callsup.policy.PolicyDecision;
import io.callsup.policy.SupervisionPolicy;
import io.callsup.policy.Trigger;
import io.callsup.tenant.Account;
import io.callsup.tenant.Customer;
import io.callsup.tenant.DialingRuleSettings;
import jakarta.enterprise.context.ApplicationScoped;
import io.callsup.supervision.port.Traced;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Who may dial which code: judges a supervisor's INVITE against the dial plan and the policy and,
 * when allowed, creates the session in JOINING (phase 1 of the two-phase join). Runs inside the
 * caller's transaction.
 */
@ApplicationScoped
public class DialInAdmission {

    private final CallRegistry calls;

    public DialInAdmission(CallRegistry calls) {
        this.calls = calls;
    }

    /** What admission decided. */
    public sealed interface Admission {
        record Admit(SupervisionSession session) implements Admission {
        }

        record Refuse(SipAnswer answer, Denial denial) implements Admission {
        }
    }

    @Traced("callsup.authorise")
    Admission decide(SupervisionService.DialIn request) {
        Caller caller = caller(request.authDomain(), request.authUser());
        Optional<Customer> callerCustomer = caller.customer();
        Optional<Account> supervisor = caller.account();
        if (supervisor.isEmpty()) {
            return refuse(SipAnswer.CALLER_UNKNOWN, callerCustomer.map(c -> c.id).orElse(null), null, null, request,
                    null, "CALLER_UNKNOWN");
        }
        Account sup = supervisor.get();
        long customerId = supervisor.get().customerId;
        DialingRule rule = caller.rule();
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

    private static Admission refuse(SipAnswer answer, Long customerId, Long supervisorId, Long agentId, SupervisionService.DialIn request,
                                    String callId, String reason) {
        return new Admission.Refuse(answer, new Denial(customerId, supervisorId, agentId, request.dialled(), callId,
                TriggerSource.CODE, reason, null, null));
    }

    static SupervisionSession newSession(Account supervisor, Account agent, ActiveCall call, SupervisionMode mode) {
        SupervisionSession session = new SupervisionSession();
        session.id = UUID.randomUUID();
        session.customerId = supervisor.customerId;
        session.supervisorAccountId = supervisor.id;
        session.agentAccountId = agent.id;
        session.callId = call.callId;
        // The daemon Kamailio chose for the call: the mixer drives it (and only it) if the service
        // knows it, instead of asking every daemon where the call is.
        session.mediaDaemon = call.rtpengine;
        session.agentTag = call.tagOf(agent.id);
        session.clientTag = call.otherTag(agent.id);
        session.clientNumber = call.otherNumber(agent.id);
        // Our own tag, random: the supervisor's SIP tags belong to another dialog, and a tag derived
        // from the session id (which the API shows) would let anyone forge DTMF-log datagrams.
        session.supervisorTag = SupervisorTags.newTag();
        session.state = SessionState.JOINING;
        session.mode = mode;
        session.startedAt = Instant.now();
        return session;
    }

    /** The authenticated caller: its customer, its account there (if any) and the customer's dialling rule. */
    private record Caller(Optional<Customer> customer, Optional<Account> account, DialingRule rule) {
    }

    /** For {@link JoinPathWarmup}: the caller's query, for a domain no customer has. */
    static void warmUp(String noDomain) {
        caller(noDomain, noDomain);
    }

    /**
     * One statement for what used to take three (customer by domain, account by SIP username, rule);
     * the entities it loads are managed, so {@link PolicyInputs} finds the customer without a query.
     */
    private static Caller caller(String domain, String sipUsername) {
        List<Object[]> rows = Customer.getEntityManager().createQuery("""
                        select c, a, r from Customer c
                        left join Account a on a.customerId = c.id and a.sipUsername = :user
                        left join DialingRuleSettings r on r.customerId = c.id
                        where c.sipDomain = :domain""", Object[].class)
                .setParameter("domain", domain).setParameter("user", sipUsername).setMaxResults(1).getResultList();
        if (rows.isEmpty()) {
            return new Caller(Optional.empty(), Optional.empty(), DialingRule.DEFAULT);
        }
        Object[] row = rows.get(0);
        return new Caller(Optional.of((Customer) row[0]), Optional.ofNullable((Account) row[1]),
                row[2] == null ? DialingRule.DEFAULT : ((DialingRuleSettings) row[2]).effective());
    }

    static DialingRule ruleOf(long customerId) {
        return DialingRuleSettings.<DialingRuleSettings>findByIdOptional(customerId)
                .map(DialingRuleSettings::effective).orElse(DialingRule.DEFAULT);
    }
}
