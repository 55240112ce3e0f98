package io.callsup.policy;

import io.callsup.policy.SupervisionRequest.Membership;
import io.callsup.policy.SupervisionRequest.Party;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The seed's rules, one test per rule and per denial, plus the order in which they apply. */
class SupervisionPolicyTest {

    private static final long ABC = 1;
    private static final long OTHER = 2;
    private static final long ADAM = 10;
    private static final long JOHN = 11;
    private static final long MARY = 12;
    private static final long SUPPORT = 100;
    private static final long SALES = 101;

    private static final Trigger CODE = new Trigger.DialledCode();
    private static final Set<Permission> MODIFY = EnumSet.of(Permission.CALL_CONTROL_MODIFY);
    private static final Trigger CUSTOMER_APP = new Trigger.Application(Realm.CUSTOMER, MODIFY, null);
    private static final Trigger ADAM_APP = new Trigger.Application(Realm.ACCOUNT, MODIFY, ADAM);

    /** ABC's Support group: Adam may supervise, John is an agent. */
    private static final List<Membership> SEED = List.of(
            new Membership(SUPPORT, ADAM, true),
            new Membership(SUPPORT, JOHN, false));

    private static SupervisionRequest request(Trigger trigger, boolean enabled, long targetCustomer, long target,
                                              boolean supervisionLeg, List<Membership> memberships) {
        return new SupervisionRequest(trigger, enabled, new Party(ABC, ADAM), new Party(targetCustomer, target),
                supervisionLeg, memberships);
    }

    private static SupervisionRequest seed(Trigger trigger) {
        return request(trigger, true, ABC, JOHN, false, SEED);
    }

    private static DenialReason denial(SupervisionRequest request) {
        PolicyDecision decision = SupervisionPolicy.evaluate(request);
        assertThat(decision).isInstanceOf(PolicyDecision.Deny.class);
        return ((PolicyDecision.Deny) decision).reason();
    }

    @Test
    void seedStoryAdamMayDialIntoJohnsCallThroughSupport() {
        assertThat(SupervisionPolicy.evaluate(seed(CODE))).isEqualTo(
                new PolicyDecision.Allow(SUPPORT, "supervision allowed in hunt group " + SUPPORT));
    }

    @Test
    void dialledCodeNeedsTheCustomerSwitch() {
        assertThat(denial(request(CODE, false, ABC, JOHN, false, SEED))).isEqualTo(DenialReason.FEATURE_DISABLED);
    }

    @Test
    void dialledCodeNeedsASharedGroup() {
        List<Membership> apart = List.of(new Membership(SUPPORT, ADAM, true), new Membership(SALES, JOHN, false));
        assertThat(denial(request(CODE, true, ABC, JOHN, false, apart))).isEqualTo(DenialReason.NO_SHARED_GROUP);
        assertThat(denial(request(CODE, true, ABC, JOHN, false, List.of()))).isEqualTo(DenialReason.NO_SHARED_GROUP);
    }

    @Test
    void dialledCodeNeedsTheFlagInTheSharedGroup() {
        List<Membership> flagOff = List.of(new Membership(SUPPORT, ADAM, false), new Membership(SUPPORT, JOHN, false));
        assertThat(denial(request(CODE, true, ABC, JOHN, false, flagOff))).isEqualTo(DenialReason.SUPERVISION_NOT_ALLOWED);
    }

    @Test
    void theFlagInAGroupTheAgentIsNotInDoesNotCount() {
        List<Membership> flagElsewhere = List.of(
                new Membership(SALES, ADAM, true),
                new Membership(SUPPORT, ADAM, false),
                new Membership(SUPPORT, JOHN, false),
                new Membership(SALES, MARY, false));
        assertThat(denial(request(CODE, true, ABC, JOHN, false, flagElsewhere)))
                .isEqualTo(DenialReason.SUPERVISION_NOT_ALLOWED);
    }

    @Test
    void theAgentsOwnFlagDoesNotLetTheSupervisorIn() {
        List<Membership> agentFlagged = List.of(new Membership(SUPPORT, ADAM, false), new Membership(SUPPORT, JOHN, true));
        assertThat(denial(request(CODE, true, ABC, JOHN, false, agentFlagged)))
                .isEqualTo(DenialReason.SUPERVISION_NOT_ALLOWED);
    }

    @Test
    void theLowestAuthorisingGroupIsNamed() {
        List<Membership> two = List.of(
                new Membership(SALES, ADAM, true), new Membership(SALES, JOHN, false),
                new Membership(SUPPORT, ADAM, true), new Membership(SUPPORT, JOHN, false));
        assertThat(SupervisionPolicy.evaluate(request(CODE, true, ABC, JOHN, false, two)))
                .isEqualTo(new PolicyDecision.Allow(SUPPORT, "supervision allowed in hunt group " + SUPPORT));
    }

    @Test
    void nobodySupervisesTheirOwnCall() {
        assertThat(denial(request(CODE, true, ABC, ADAM, false, SEED))).isEqualTo(DenialReason.SELF);
        assertThat(denial(request(CUSTOMER_APP, true, ABC, ADAM, false, SEED))).isEqualTo(DenialReason.SELF);
    }

    @Test
    void aSupervisionLegIsNeverATarget() {
        assertThat(denial(request(CODE, true, ABC, JOHN, true, SEED))).isEqualTo(DenialReason.TARGET_IS_SUPERVISION_LEG);
        assertThat(denial(request(CUSTOMER_APP, true, ABC, JOHN, true, SEED)))
                .isEqualTo(DenialReason.TARGET_IS_SUPERVISION_LEG);
    }

    @Test
    void anotherCustomersCallIsRefusedFirst() {
        // Even with the feature off and no group, the answer must be about the customer only.
        assertThat(denial(request(CODE, false, OTHER, JOHN, true, List.of()))).isEqualTo(DenialReason.NOT_SAME_CUSTOMER);
        assertThat(denial(request(CUSTOMER_APP, true, OTHER, JOHN, false, SEED))).isEqualTo(DenialReason.NOT_SAME_CUSTOMER);
    }

    @Test
    void customerRealmWithModifyNeedsNoGroupOrFlag() {
        assertThat(SupervisionPolicy.evaluate(request(CUSTOMER_APP, true, ABC, JOHN, false, List.of())))
                .isEqualTo(new PolicyDecision.Allow(null, "customer-realm credential with CALL_CONTROL_MODIFY"));
    }

    @ParameterizedTest
    @EnumSource(value = Realm.class, names = {"CUSTOMER", "ACCOUNT"})
    void applicationsStillNeedTheCustomerSwitch(Realm realm) {
        Trigger app = new Trigger.Application(realm, MODIFY, ADAM);
        assertThat(denial(request(app, false, ABC, JOHN, false, SEED))).isEqualTo(DenialReason.FEATURE_DISABLED);
    }

    @ParameterizedTest
    @EnumSource(value = Realm.class, names = {"CUSTOMER", "ACCOUNT"})
    void applicationsNeedCallControlModify(Realm realm) {
        Trigger readOnly = new Trigger.Application(realm, EnumSet.of(Permission.CALL_CONTROL_READ), ADAM);
        assertThat(denial(request(readOnly, true, ABC, JOHN, false, SEED))).isEqualTo(DenialReason.MISSING_PERMISSION);
        Trigger none = new Trigger.Application(realm, Set.of(), ADAM);
        assertThat(denial(request(none, true, ABC, JOHN, false, SEED))).isEqualTo(DenialReason.MISSING_PERMISSION);
    }

    @Test
    void administratorRealmNeverSupervises() {
        Trigger admin = new Trigger.Application(Realm.ADMINISTRATOR, EnumSet.allOf(Permission.class), null);
        assertThat(denial(seed(admin))).isEqualTo(DenialReason.MISSING_PERMISSION);
    }

    @Test
    void accountRealmNeedsTheFlagExactlyAsWhenDialling() {
        assertThat(SupervisionPolicy.evaluate(seed(ADAM_APP)).allowed()).isTrue();
        List<Membership> flagOff = List.of(new Membership(SUPPORT, ADAM, false), new Membership(SUPPORT, JOHN, false));
        assertThat(denial(request(ADAM_APP, true, ABC, JOHN, false, flagOff))).isEqualTo(DenialReason.SUPERVISION_NOT_ALLOWED);
        assertThat(denial(request(ADAM_APP, true, ABC, JOHN, false, List.of()))).isEqualTo(DenialReason.NO_SHARED_GROUP);
    }

    @Test
    void accountRealmMayOnlyMakeItselfTheSupervisor() {
        Trigger marysCredential = new Trigger.Application(Realm.ACCOUNT, MODIFY, MARY);
        assertThat(denial(seed(marysCredential))).isEqualTo(DenialReason.NOT_OWN_ACCOUNT);
        Trigger noAccount = new Trigger.Application(Realm.ACCOUNT, MODIFY, null);
        assertThat(denial(seed(noAccount))).isEqualTo(DenialReason.NOT_OWN_ACCOUNT);
    }

    @Test
    void aSwitchIsJudgedByTheRuleThatStartedTheSession() {
        assertThat(SupervisionPolicy.evaluate(seed(new Trigger.Switch(CODE))).allowed()).isTrue();
        // A customer-realm session goes on without any group, as it was started.
        assertThat(SupervisionPolicy.evaluate(request(new Trigger.Switch(CUSTOMER_APP), true, ABC, JOHN, false, List.of()))
                .allowed()).isTrue();
    }

    @Test
    void aSwitchFailsOnceTheFeatureOrFlagIsRevoked() {
        assertThat(denial(request(new Trigger.Switch(CODE), false, ABC, JOHN, false, SEED)))
                .isEqualTo(DenialReason.FEATURE_DISABLED);
        List<Membership> revoked = List.of(new Membership(SUPPORT, ADAM, false), new Membership(SUPPORT, JOHN, false));
        assertThat(denial(request(new Trigger.Switch(CODE), true, ABC, JOHN, false, revoked)))
                .isEqualTo(DenialReason.SUPERVISION_NOT_ALLOWED);
        assertThat(denial(request(new Trigger.Switch(ADAM_APP), true, ABC, JOHN, false, revoked)))
                .isEqualTo(DenialReason.SUPERVISION_NOT_ALLOWED);
    }

    @Test
    void aSwitchCannotWrapASwitch() {
        assertThatThrownBy(() -> new Trigger.Switch(new Trigger.Switch(CODE)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyDenialReasonIsReachable() {
        // Guards against a reason that exists in the enum but that no rule can produce.
        EnumSet<DenialReason> seen = EnumSet.noneOf(DenialReason.class);
        List<Membership> flagOff = List.of(new Membership(SUPPORT, ADAM, false), new Membership(SUPPORT, JOHN, false));
        seen.add(denial(request(CODE, false, ABC, JOHN, false, SEED)));
        seen.add(denial(request(CODE, true, OTHER, JOHN, false, SEED)));
        seen.add(denial(request(CODE, true, ABC, JOHN, false, List.of())));
        seen.add(denial(request(CODE, true, ABC, JOHN, false, flagOff)));
        seen.add(denial(request(CODE, true, ABC, ADAM, false, SEED)));
        seen.add(denial(request(CODE, true, ABC, JOHN, true, SEED)));
        seen.add(denial(seed(new Trigger.Application(Realm.CUSTOMER, Set.of(), null))));
        seen.add(denial(seed(new Trigger.Application(Realm.ACCOUNT, MODIFY, MARY))));
        assertThat(seen).isEqualTo(EnumSet.allOf(DenialReason.class));
    }
}
