package io.callsup.policy;

import java.util.List;

/**
 * "May this phone's user watch that account's busy lamp?" as a pure function. A lamp is only worth
 * having where its key works: the rule is the one for dialling the spy code
 * ({@link SupervisionPolicy} with a {@link Trigger.DialledCode}), same order of checks, so another
 * customer's account is refused before anything about it is looked at. Whether the agent is on a
 * call, or on a supervision leg, does not matter to a subscription: it outlives calls, and
 * supervision legs are never published (kamailio.cfg, route[BLF_DIALOG]).
 */
public final class WatchPolicy {

    private WatchPolicy() {
    }

    /**
     * @param featureEnabled the watcher's customer has call supervision switched on
     * @param watcher        the account whose phone subscribes
     * @param watched        the account whose lamp it wants
     * @param memberships    hunt-group memberships of both (others are ignored)
     */
    public record WatchRequest(boolean featureEnabled, SupervisionRequest.Party watcher,
                               SupervisionRequest.Party watched, List<SupervisionRequest.Membership> memberships) {
        public WatchRequest {
            memberships = List.copyOf(memberships);
        }
    }

    public static PolicyDecision evaluate(WatchRequest request) {
        return SupervisionPolicy.evaluate(new SupervisionRequest(new Trigger.DialledCode(), request.featureEnabled(),
                request.watcher(), request.watched(), false, request.memberships()));
    }
}
