package io.callsup.security;

import com.github.benmanes.caffeine.cache.Ticker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The attempt counters and the optional lockout, on a clock the test moves. */
class AttemptThrottleTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = now::get;

    private AttemptThrottle throttle(boolean lockout) {
        return new AttemptThrottle(ticker, Duration.ofSeconds(60), 5, 3, 1000, lockout, 4, Duration.ofMinutes(15));
    }

    @Test
    void perUsernameLimitRefusesUntilTheWindowEnds() {
        AttemptThrottle t = throttle(false);
        for (int i = 0; i < 3; i++) {
            assertThat(t.acquire("10.0.0.1", "alice")).isNull();
        }
        AttemptThrottle.Refusal refusal = t.acquire("10.0.0.2", "alice");
        assertThat(refusal).isNotNull();
        assertThat(refusal.reason()).isEqualTo("username");
        assertThat(refusal.retryAfterSeconds()).isEqualTo(60);
        now.addAndGet(Duration.ofSeconds(45).toNanos());
        assertThat(t.acquire("10.0.0.3", "alice").retryAfterSeconds()).isEqualTo(15);
        now.addAndGet(Duration.ofSeconds(15).toNanos());
        assertThat(t.acquire("10.0.0.3", "alice")).as("a new window").isNull();
    }

    @Test
    void perSourceLimitCoversMadeUpUsernamesAndSuccessGivesTheAttemptBack() {
        AttemptThrottle t = throttle(false);
        for (int i = 0; i < 5; i++) {
            assertThat(t.acquire("10.0.0.1", "guess-" + i)).isNull();
        }
        assertThat(t.acquire("10.0.0.1", "guess-x").reason()).isEqualTo("source");
        assertThat(t.acquire("10.0.0.9", "guess-x")).as("other sources are not affected").isNull();
        t.succeeded("10.0.0.1", "guess-0");
        assertThat(t.acquire("10.0.0.1", "bob")).as("a genuine sign-in freed one slot").isNull();
        assertThat(t.acquire("10.0.0.1", "carol")).isNotNull();
    }

    @Test
    void refusalByUsernameDoesNotUseUpTheSource() {
        AttemptThrottle t = throttle(false);
        for (int i = 0; i < 3; i++) {
            t.acquire("10.0.0.1", "alice");
        }
        for (int i = 0; i < 20; i++) {
            assertThat(t.acquire("10.0.0.1", "alice")).isNotNull();
        }
        assertThat(t.acquire("10.0.0.1", "bob")).as("source used 3 of 5").isNull();
        assertThat(t.acquire("10.0.0.1", "carol")).isNull();
        assertThat(t.acquire("10.0.0.1", "dave")).isNotNull();
    }

    @Test
    void lockoutIsOffByDefaultShape() {
        AttemptThrottle t = throttle(false);
        for (int i = 0; i < 10; i++) {
            t.failed("alice");
        }
        assertThat(t.locked("alice")).isNull();
    }

    @Test
    void lockoutLocksAUsernameAfterConsecutiveFailuresEvenAcrossWindows() {
        AttemptThrottle t = throttle(true);
        for (int i = 0; i < 3; i++) {
            t.failed("alice");
            now.addAndGet(Duration.ofSeconds(61).toNanos());
        }
        assertThat(t.locked("alice")).isNull();
        t.failed("alice");
        AttemptThrottle.Refusal locked = t.locked("alice");
        assertThat(locked).isNotNull();
        assertThat(locked.reason()).isEqualTo("locked");
        assertThat(locked.retryAfterSeconds()).isEqualTo(15 * 60);
        assertThat(t.acquire("10.0.0.5", "alice")).as("locked even from a fresh source").isNotNull();
        assertThat(t.locked("bob")).isNull();
        now.addAndGet(Duration.ofMinutes(15).toNanos());
        assertThat(t.locked("alice")).as("the lock expires").isNull();
    }

    @Test
    void aSuccessResetsTheConsecutiveFailures() {
        AttemptThrottle t = throttle(true);
        for (int i = 0; i < 3; i++) {
            t.failed("alice");
        }
        t.succeeded("10.0.0.1", "alice");
        for (int i = 0; i < 3; i++) {
            t.failed("alice");
        }
        assertThat(t.locked("alice")).isNull();
    }
}
