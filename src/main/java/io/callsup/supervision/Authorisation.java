package io.callsup.supervision;

import io.callsup.dialplan.DialingRule;
import io.callsup.policy.Permission;
import io.callsup.policy.PolicyDecision;
import io.callsup.policy.Realm;
import io.callsup.policy.SupervisionPolicy;
import io.callsup.policy.SupervisionRequest;
import io.callsup.policy.Trigger;
import io.callsup.tenant.ApiCredential;
import io.callsup.tenant.DialingRuleSettings;
import io.callsup.tenant.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Whether a live session is still authorised by the rule that admitted it. Runs inside a transaction. */
final class Authorisation {

    /**
     * Everything a re-judgement reads, in one statement (a switch used to send five: both accounts,
     * the customer, the memberships, the dialling rule). No row: the customer or an account is gone.
     * One row per hunt-group membership of either account (one with null membership columns when
     * there is none). The policy is judged on the supervisor's customer's flag, as at admission
     * ({@link PolicyInputs}); the session's own customer must still exist.
     */
    private static final String FACTS = """
            SELECT COALESCE(sc.supervision_enabled, FALSE), sa.customer_id, ta.customer_id,
                   r.use_custom, r.spy_prefix, r.whisper_prefix, r.barge_prefix,
                   r.spy_digit, r.whisper_digit, r.barge_digit,
                   m.hunt_group_id, m.account_id, m.supervision_allowed
            FROM customer c
            JOIN account sa ON sa.id = ?2
            JOIN account ta ON ta.id = ?3
            LEFT JOIN customer sc ON sc.id = sa.customer_id
            LEFT JOIN dialing_rule r ON r.customer_id = c.id
            LEFT JOIN hunt_group_member m ON m.account_id IN (?2, ?3)
            WHERE c.id = ?1""";

    private Authorisation() {
    }

    /** What the session's customer and accounts look like now: the dialling rule and the policy's inputs. */
    record Facts(DialingRule rule, boolean supervisionEnabled, long supervisorCustomerId, long agentCustomerId,
                 List<SupervisionRequest.Membership> memberships) {
    }

    /** Empty when the customer or either account is gone. */
    @SuppressWarnings("unchecked")
    static Optional<Facts> facts(SupervisionSession s) {
        List<Object[]> rows = SupervisionSession.getEntityManager().createNativeQuery(FACTS)
                .setParameter(1, s.customerId).setParameter(2, s.supervisorAccountId)
                .setParameter(3, s.agentAccountId).getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] first = rows.get(0);
        DialingRule rule = DialingRule.DEFAULT;
        if (first[3] != null) {
            DialingRuleSettings stored = new DialingRuleSettings();
            stored.useCustom = (Boolean) first[3];
            stored.spyPrefix = text(first[4]);
            stored.whisperPrefix = text(first[5]);
            stored.bargePrefix = text(first[6]);
            stored.spyDigit = text(first[7]);
            stored.whisperDigit = text(first[8]);
            stored.bargeDigit = text(first[9]);
            rule = stored.effective();
        }
        List<SupervisionRequest.Membership> memberships = new ArrayList<>();
        for (Object[] r : rows) {
            if (r[10] != null) {
                memberships.add(new SupervisionRequest.Membership(((Number) r[10]).longValue(),
                        ((Number) r[11]).longValue(), (Boolean) r[12]));
            }
        }
        return Optional.of(new Facts(rule, (Boolean) first[0], ((Number) first[1]).longValue(),
                ((Number) first[2]).longValue(), List.copyOf(memberships)));
    }

    /** A CHAR(1) column comes back as a Character, a VARCHAR as a String. */
    private static String text(Object column) {
        return column == null ? null : column.toString();
    }

    /** False when the policy now denies it, or when anything it rests on is gone (customer, account, credential). */
    static boolean stillAllowed(SupervisionSession s) {
        return stillAllowed(s, facts(s));
    }

    /** As {@link #stillAllowed(SupervisionSession)} on facts already read in this transaction. */
    static boolean stillAllowed(SupervisionSession s, Optional<Facts> facts) {
        if (facts.isEmpty()) {
            return false;
        }
        Optional<Trigger> trigger = admittedBy(s);
        if (trigger.isEmpty()) {
            return false;
        }
        Facts f = facts.get();
        return SupervisionPolicy.evaluate(new SupervisionRequest(trigger.get(), f.supervisionEnabled(),
                new SupervisionRequest.Party(f.supervisorCustomerId(), s.supervisorAccountId),
                new SupervisionRequest.Party(f.agentCustomerId(), s.agentAccountId),
                false, f.memberships())) instanceof PolicyDecision.Allow;
    }

    private static Optional<Trigger> admittedBy(SupervisionSession s) {
        if (s.joinedBy == SupervisionSession.JoinedBy.CODE) {
            return Optional.of(new Trigger.DialledCode());
        }
        Optional<ApiCredential> credential = s.credentialId == null ? Optional.empty()
                : ApiCredential.findByIdOptional(s.credentialId);
        if (s.credentialId != null && credential.isEmpty()) {
            return Optional.empty();
        }
        Set<Permission> permissions = credential.flatMap(c -> c.roleId == null ? Optional.empty()
                : Role.<Role>findByIdOptional(c.roleId)).map(Role::permissionSet).orElse(Set.of());
        return Optional.of(new Trigger.Application(Realm.valueOf(s.credentialRealm), permissions,
                credential.map(c -> c.accountId).orElse(null)));
    }
}
