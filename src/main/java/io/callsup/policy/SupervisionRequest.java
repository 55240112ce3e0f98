package io.callsup.policy;

import java.util.List;

/**
 * Everything the policy needs to know, gathered by the caller beforehand so that the policy
 * itself stays a pure function.
 *
 * @param featureEnabled       the supervisor's customer has call supervision switched on
 * @param supervisor           who would listen
 * @param target               whose call would be supervised
 * @param targetIsSupervisionLeg the target call is itself a supervision leg
 * @param memberships          the hunt-group memberships of supervisor and target (others are ignored)
 */
public record SupervisionRequest(Trigger trigger,
                                 boolean featureEnabled,
                                 Party supervisor,
                                 Party target,
                                 boolean targetIsSupervisionLeg,
                                 List<Membership> memberships) {

    public SupervisionRequest {
        memberships = List.copyOf(memberships);
    }

    /** An account, with the customer it belongs to. */
    public record Party(long customerId, long accountId) {
    }

    /** One account's membership of one hunt group. */
    public record Membership(long huntGroupId, long accountId, boolean supervisionAllowed) {
    }
}
