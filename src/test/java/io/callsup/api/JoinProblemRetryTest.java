package io.callsup.api;

import io.callsup.policy.DenialReason;
import io.callsup.supervision.SupervisionService.JoinOutcome;
import io.callsup.web.ProblemException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** An API join refused because a dependency is down says when to try again; a refusal on policy does not. */
class JoinProblemRetryTest {

    private static final Duration KAMAILIO = Duration.ofSeconds(5);
    private static final Duration MEDIA = Duration.ofMillis(2500);

    private static jakarta.ws.rs.core.Response answer(JoinOutcome outcome) {
        ProblemException p = CallControlResource.withRetryAfter(outcome,
                CallControlResource.problem(outcome, "call-1", 7), KAMAILIO, MEDIA);
        return p.toResponse("/api/v1/calls/call-1/supervision");
    }

    @Test
    void rtpengineUnavailableIs503WithRetryAfter() {
        var r = answer(new JoinOutcome.MediaUnavailable("no daemon answers"));
        assertThat(r.getStatus()).isEqualTo(503);
        assertThat(r.getHeaderString("Retry-After")).isEqualTo("3");
    }

    @Test
    void kamailioUnavailableIs503WithItsOwnRetryAfter() {
        var r = answer(new JoinOutcome.EdgeUnavailable());
        assertThat(r.getStatus()).isEqualTo(503);
        assertThat(r.getHeaderString("Retry-After")).isEqualTo("5");
    }

    @Test
    void aPolicyRefusalHasNoRetryAfter() {
        var r = answer(new JoinOutcome.Denied(DenialReason.NO_SHARED_GROUP));
        assertThat(r.getStatus()).isEqualTo(403);
        assertThat(r.getHeaderString("Retry-After")).isNull();
    }
}
