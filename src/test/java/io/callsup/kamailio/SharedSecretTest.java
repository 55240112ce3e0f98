package io.callsup.kamailio;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SharedSecretTest {

    private static final String GOOD = "abcdefghijklmnopqrstuvwx-1";
    private static final String OTHER = "ABCDEFGHIJKLMNOPQRSTUVWX-2";

    @Test
    void neverShowsItsValue() {
        SharedSecret s = SharedSecret.of(GOOD);
        assertThat(s.toString()).doesNotContain(GOOD).isEqualTo("SharedSecret[redacted]");
        assertThat(String.valueOf(java.util.List.of(s))).doesNotContain(GOOD);
    }

    @Test
    void matchesOnlyItsExactValue() {
        SharedSecret s = SharedSecret.of(GOOD);
        assertThat(s.matches(GOOD)).isTrue();
        assertThat(s.matches(null)).isFalse();
        assertThat(s.matches("")).isFalse();
        assertThat(s.matches(GOOD + " ")).isFalse();
        assertThat(s.matches(GOOD.substring(1))).isFalse();
        assertThat(s.matches(GOOD.toUpperCase())).isFalse();
    }

    @Test
    void weakOrReusedSecretsFailStartUpWithoutShowingThem() {
        String shortOne = "short-secret-123";
        assertThatThrownBy(() -> KamailioSecretsCheck.verify(SharedSecret.of(shortOne), SharedSecret.of(OTHER)))
                .hasMessageContaining("callsup.kamailio.event-secret").hasMessageContaining("at least 24")
                .hasMessageNotContaining(shortOne);
        String quoted = "abcdefghijklmnopqrstuvwxyz\"!";
        assertThatThrownBy(() -> KamailioSecretsCheck.verify(SharedSecret.of(GOOD), SharedSecret.of(quoted)))
                .hasMessageContaining("callsup.kamailio.rpc-secret").hasMessageNotContaining(quoted);
        assertThatThrownBy(() -> KamailioSecretsCheck.verify(SharedSecret.of(""), SharedSecret.of(OTHER)))
                .hasMessageContaining("is empty");
        assertThatThrownBy(() -> KamailioSecretsCheck.verify(SharedSecret.of(GOOD), SharedSecret.of(GOOD)))
                .hasMessageContaining("must differ").hasMessageNotContaining(GOOD);
        KamailioSecretsCheck.verify(SharedSecret.of(GOOD), SharedSecret.of(OTHER));
    }
}
