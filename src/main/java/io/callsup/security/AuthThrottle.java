package io.callsup.security;

import com.github.benmanes.caffeine.cache.Ticker;
import jakarta.enterprise.context.ApplicationScoped;

/** The application's {@link AttemptThrottle}, built from {@link AuthConfig}; tests may start it afresh. */
@ApplicationScoped
public class AuthThrottle {

    private final AuthConfig config;
    private volatile AttemptThrottle throttle;

    public AuthThrottle(AuthConfig config) {
        this.config = config;
        reset();
    }

    AttemptThrottle get() {
        return throttle;
    }

    /** Forgets every counter and lock (tests; an operator restart does the same). */
    public void reset() {
        AuthConfig.RateLimit limit = config.rateLimit();
        AuthConfig.Lockout lockout = config.lockout();
        throttle = new AttemptThrottle(Ticker.systemTicker(), limit.window(), limit.perSource(), limit.perUsername(),
                limit.maxTracked(), lockout.enabled(), lockout.threshold(), lockout.duration());
    }
}
