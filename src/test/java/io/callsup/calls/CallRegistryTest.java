package io.callsup.calls;

import io.callsup.testsupport.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which call of an agent is supervised, against the real database. */
@QuarkusTest
class CallRegistryTest {

    @Inject
    CallRegistry registry;

    private static CallRegistry.Dialog clientCalls(String callId, String extension, String domain) {
        return new CallRegistry.Dialog(callId, callId + "-from", callId + "-to", "client", "carrier.test",
                extension, domain, false, 1L, 1L);
    }

    @Test
    void theAnsweredCallNotOnHoldIsChosenAndSupervisionLegsNever() throws Exception {
        TestApi.Tenant abc = TestApi.newTenant("ABC", true);
        long john = TestApi.newAccount(abc, "744", "John");
        String older = TestApi.unique("older");
        String newer = TestApi.unique("newer");

        assertThat(registry.started(clientCalls(older, "744", abc.sipDomain()))).isTrue();
        Thread.sleep(5); // distinct start times: "newest" must be well defined
        assertThat(registry.started(clientCalls(newer, "744", abc.sipDomain()))).isTrue();
        assertThat(registry.supervisableCallOf(john)).get().extracting(c -> c.callId).isEqualTo(newer);
        assertThat(registry.supervisableCallOf(john).get().tagOf(john)).isEqualTo(newer + "-to");

        registry.holdChanged(newer, true);
        assertThat(registry.supervisableCallOf(john)).get().extracting(c -> c.callId).isEqualTo(older);
        registry.holdChanged(newer, false);
        assertThat(registry.supervisableCallOf(john)).get().extracting(c -> c.callId).isEqualTo(newer);

        registry.ended(newer);
        registry.ended(older);
        assertThat(registry.supervisableCallOf(john)).isEmpty();
        assertThat(registry.onlySupervisionLegs(john)).isFalse();

        // John dials a supervision code himself: that leg is never a target.
        String leg = TestApi.unique("leg");
        registry.started(new CallRegistry.Dialog(leg, "a", "b", "744", abc.sipDomain(), "*90745",
                abc.sipDomain(), true, 2L, 2L));
        assertThat(registry.supervisableCallOf(john)).isEmpty();
        assertThat(registry.onlySupervisionLegs(john)).isTrue();
    }

    @Test
    void callsOfNoCustomerAreNotTracked() {
        assertThat(registry.started(clientCalls(TestApi.unique("x"), "744", "nobody.test"))).isFalse();
    }
}
