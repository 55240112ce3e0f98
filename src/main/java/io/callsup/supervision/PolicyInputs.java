package io.callsup.supervision;

import io.callsup.policy.SupervisionRequest;
import io.callsup.policy.Trigger;
import io.callsup.tenant.Account;
import io.callsup.tenant.Customer;
import io.callsup.tenant.HuntGroupMember;

import java.util.List;

/** Reads from the database what {@link io.callsup.policy.SupervisionPolicy} needs; the policy itself does no I/O. */
final class PolicyInputs {

    private PolicyInputs() {
    }

    static SupervisionRequest gather(Trigger trigger, Account supervisor, Account target, boolean targetIsSupervisionLeg) {
        Customer customer = Customer.findById(supervisor.customerId);
        List<SupervisionRequest.Membership> memberships = HuntGroupMember.listForAccounts(List.of(supervisor.id, target.id))
                .stream()
                .map(m -> new SupervisionRequest.Membership(m.huntGroupId, m.accountId, m.supervisionAllowed))
                .toList();
        return new SupervisionRequest(trigger, customer != null && customer.supervisionEnabled,
                new SupervisionRequest.Party(supervisor.customerId, supervisor.id),
                new SupervisionRequest.Party(target.customerId, target.id),
                targetIsSupervisionLeg, memberships);
    }
}
