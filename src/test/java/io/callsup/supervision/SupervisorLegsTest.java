package io.callsup.supervision;

import org.junit.jupiter.api.Test;

import static io.callsup.supervision.SupervisorLegs.tagsMatch;
import static org.assertj.core.api.Assertions.assertThat;

class SupervisorLegsTest {

    @Test
    void aDialledLegBelievesOnlyThePhonesDirection() {
        assertThat(tagsMatch(true, "phone", "mc", "phone", "mc")).isTrue();
        assertThat(tagsMatch(true, "phone", "mc", "mc", "phone")).as("swapped").isFalse();
        assertThat(tagsMatch(true, "phone", "mc", "phone", "m")).as("partial").isFalse();
        assertThat(tagsMatch(true, "phone", "mc", "phone", "made-up")).isFalse();
        assertThat(tagsMatch(true, "phone", "mc", "phone", null)).isFalse();
    }

    @Test
    void anOriginatedLegBelievesOnlyThePhoneAsCallee() {
        // stored: From = ours (tm's), To = the phone's; the phone sends From = its tag.
        assertThat(tagsMatch(false, "ours", "phone", "phone", "ours")).isTrue();
        assertThat(tagsMatch(false, "ours", "phone", "ours", "phone")).as("our direction").isFalse();
        assertThat(tagsMatch(false, "ours", "phone", "phone", "phone")).isFalse();
    }

    @Test
    void aLegWhoseSecondTagIsUnknownMatchesNothing() {
        assertThat(tagsMatch(true, "phone", null, "phone", "anything")).isFalse();
        assertThat(tagsMatch(false, null, null, "a", "b")).isFalse();
    }
}
