package io.callsup.supervision;

import io.callsup.policy.Permission;
import io.callsup.policy.PolicyDecision;
import io.callsup.policy.Realm;
import io.callsup.policy.SupervisionPolicy;
import io.callsup.policy.Trigger;
import io.callsup.tenant.Account;
import io.callsup.tenant.ApiCredential;
import io.callsup.tenant.Customer;
import io.callsup.tenant.Role;

import java.util.Optional;
import java.util.Set;

/** Whether a live session is still authorised by the rule that admitted it. Runs inside a transaction. */
final class Authorisation {

    private Authorisation() {
    }

    /** False when the policy now denies it, or when anything it rests on is gone (customer, account, credential). */
    static boolean stillAllowed(SupervisionSession s) {
        Account supervisor = Account.findById(s.supervisorAccountId);
        Account agent = Account.findById(s.agentAccountId);
        if (supervisor == null || agent == null || Customer.findById(s.customerId) == null) {
            return false;
        }
        Optional<Trigger> trigger = admittedBy(s);
        return trigger.isPresent() && SupervisionPolicy.evaluate(PolicyInputs.gather(trigger.get(), supervisor, agent,
                false)) instanceof PolicyDecision.Allow;
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
