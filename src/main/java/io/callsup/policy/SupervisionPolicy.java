package io.callsup.policy;

import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * "May S supervise A?" as a pure function. The checks run in a fixed order so that the reason
 * given is stable and never leaks more than the caller may know: another customer's call is
 * refused before anything about it is looked at.
 */
public final class SupervisionPolicy {

    private SupervisionPolicy() {
    }

    public static PolicyDecision evaluate(SupervisionRequest request) {
        if (request.supervisor().customerId() != request.target().customerId()) {
            return deny(DenialReason.NOT_SAME_CUSTOMER);
        }
        if (!request.featureEnabled()) {
            return deny(DenialReason.FEATURE_DISABLED);
        }
        Trigger rule = request.trigger() instanceof Trigger.Switch s ? s.joinedBy() : request.trigger();
        if (rule instanceof Trigger.Application app) {
            if (app.realm() == Realm.ADMINISTRATOR) {
                // The operator manages customers; supervising their calls is the customer's business.
                return deny(DenialReason.MISSING_PERMISSION);
            }
            if (!app.permissions().contains(Permission.CALL_CONTROL_MODIFY)) {
                return deny(DenialReason.MISSING_PERMISSION);
            }
            if (app.realm() == Realm.ACCOUNT
                    && (app.credentialAccountId() == null
                    || app.credentialAccountId() != request.supervisor().accountId())) {
                return deny(DenialReason.NOT_OWN_ACCOUNT);
            }
        }
        if (request.supervisor().accountId() == request.target().accountId()) {
            return deny(DenialReason.SELF);
        }
        if (request.targetIsSupervisionLeg()) {
            return deny(DenialReason.TARGET_IS_SUPERVISION_LEG);
        }
        if (rule instanceof Trigger.Application app && app.realm() == Realm.CUSTOMER) {
            return new PolicyDecision.Allow(null, "customer-realm credential with CALL_CONTROL_MODIFY");
        }
        return huntGroupRule(request);
    }

    /** Dialled codes and account-realm applications: a shared group where the supervisor is allowed. */
    private static PolicyDecision huntGroupRule(SupervisionRequest request) {
        long supervisor = request.supervisor().accountId();
        long target = request.target().accountId();
        Set<Long> targetGroups = request.memberships().stream()
                .filter(m -> m.accountId() == target)
                .map(SupervisionRequest.Membership::huntGroupId)
                .collect(Collectors.toSet());
        var shared = request.memberships().stream()
                .filter(m -> m.accountId() == supervisor && targetGroups.contains(m.huntGroupId()))
                .toList();
        if (shared.isEmpty()) {
            return deny(DenialReason.NO_SHARED_GROUP);
        }
        // Lowest id first, so the audit trail names the same group every time.
        return shared.stream()
                .filter(SupervisionRequest.Membership::supervisionAllowed)
                .min(Comparator.comparingLong(SupervisionRequest.Membership::huntGroupId))
                .<PolicyDecision>map(m -> new PolicyDecision.Allow(m.huntGroupId(),
                        "supervision allowed in hunt group " + m.huntGroupId()))
                .orElse(deny(DenialReason.SUPERVISION_NOT_ALLOWED));
    }

    private static PolicyDecision deny(DenialReason reason) {
        return new PolicyDecision.Deny(reason);
    }
}
