package io.callsup.supervision;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TimeoutOrderTest {

    @Test
    void theDefaultsNest() {
        assertThat(TimeoutOrder.problems(Duration.ofMillis(1500), Duration.ofSeconds(2), Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    void aDeadlineKamailioWouldNotWaitForIsRefused() {
        assertThat(TimeoutOrder.problems(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(5)))
                .singleElement().asString().contains("decision-deadline");
        assertThat(TimeoutOrder.problems(Duration.ofMillis(1500), Duration.ofSeconds(2), Duration.ofSeconds(2)))
                .singleElement().asString().contains("confirm-deadline");
        assertThat(TimeoutOrder.problems(Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(5)))
                .singleElement().asString().contains("positive");
    }
}
