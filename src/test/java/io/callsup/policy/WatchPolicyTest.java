package io.callsup.policy;

import io.callsup.policy.SupervisionRequest.Membership;
import io.callsup.policy.SupervisionRequest.Party;
import io.callsup.policy.WatchPolicy.WatchRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may watch whose busy lamp: the dialled-code rule, whatever the watched account is doing. */
class WatchPolicyTest {

    private static final long ABC = 1;
    private static final long OTHER = 2;
    private static final long ADAM = 10;
    private static final long JOHN = 11;
    private static final long MARY = 12;
    private static final long SUPPORT = 100;
    private static final long SALES = 101;

    /** ABC's Support group: Adam may supervise, John is an agent; Mary is in Sales only. */
    private static final List<Membership> SEED = List.of(
            new Membership(SUPPORT, ADAM, true),
            new Membership(SUPPORT, JOHN, false),
            new Membership(SALES, MARY, false));

    private static WatchRequest watch(long watcher, long watchedCustomer, long watched, boolean enabled,
                                      List<Membership> memberships) {
        return new WatchRequest(enabled, new Party(ABC, watcher), new Party(watchedCustomer, watched), memberships);
    }

    private static DenialReason denial(WatchRequest request) {
        PolicyDecision decision = WatchPolicy.evaluate(request);
        assertThat(decision).as(decision.toString()).isInstanceOf(PolicyDecision.Deny.class);
        return ((PolicyDecision.Deny) decision).reason();
    }

    @Test
    void adamMayWatchJohnThroughSupport() {
        assertThat(WatchPolicy.evaluate(watch(ADAM, ABC, JOHN, true, SEED)))
                .isEqualTo(new PolicyDecision.Allow(SUPPORT, "supervision allowed in hunt group " + SUPPORT));
    }

    @Test
    void anotherCustomersAccountIsRefusedBeforeAnythingElse() {
        // Even with the feature off and no group: the first reason is the customer.
        assertThat(denial(watch(ADAM, OTHER, JOHN, false, List.of()))).isEqualTo(DenialReason.NOT_SAME_CUSTOMER);
    }

    @Test
    void theCustomerSwitchIsNeeded() {
        assertThat(denial(watch(ADAM, ABC, JOHN, false, SEED))).isEqualTo(DenialReason.FEATURE_DISABLED);
    }

    @Test
    void aWatcherWithoutTheSupervisionFlagIsRefused() {
        // John shares Support with Adam but may not supervise there.
        assertThat(denial(watch(JOHN, ABC, ADAM, true, SEED))).isEqualTo(DenialReason.SUPERVISION_NOT_ALLOWED);
    }

    @Test
    void noSharedGroupNoLamp() {
        assertThat(denial(watch(ADAM, ABC, MARY, true, SEED))).isEqualTo(DenialReason.NO_SHARED_GROUP);
    }

    @Test
    void theFlagInAnotherGroupDoesNotCount() {
        List<Membership> memberships = List.of(
                new Membership(SUPPORT, ADAM, false),
                new Membership(SUPPORT, JOHN, false),
                new Membership(SALES, ADAM, true));
        assertThat(denial(watch(ADAM, ABC, JOHN, true, memberships))).isEqualTo(DenialReason.SUPERVISION_NOT_ALLOWED);
    }

    @Test
    void oneOwnLineIsNoSupervision() {
        assertThat(denial(watch(ADAM, ABC, ADAM, true, SEED))).isEqualTo(DenialReason.SELF);
    }

    @Test
    void theLowestAllowingGroupIsNamed() {
        List<Membership> memberships = List.of(
                new Membership(SALES, ADAM, true), new Membership(SALES, JOHN, false),
                new Membership(SUPPORT, ADAM, true), new Membership(SUPPORT, JOHN, false));
        assertThat(WatchPolicy.evaluate(watch(ADAM, ABC, JOHN, true, memberships)))
                .isEqualTo(new PolicyDecision.Allow(SUPPORT, "supervision allowed in hunt group " + SUPPORT));
    }
}
