package io.callsup.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How API authentication stays cheap and resists guessing: cache, rate limits, lockout, tokens. */
@ConfigMapping(prefix = "callsup.security.auth")
public interface AuthConfig {

    Cache cache();

    RateLimit rateLimit();

    Lockout lockout();

    Tokens tokens();

    interface Cache {
        /** How long a verified credential is believed without PBKDF2; changes drop it sooner. */
        @WithDefault("60s")
        Duration ttl();

        @WithDefault("10000")
        int maxSize();
    }

    /** Attempts that miss the cache, counted per fixed window; the limit answers 429. */
    interface RateLimit {
        @WithDefault("60s")
        Duration window();

        /** Uncached attempts per source address and window. */
        @WithDefault("60")
        int perSource();

        /** Uncached attempts per presented username and window (known or not). */
        @WithDefault("10")
        int perUsername();

        /** Bound on the counters kept, so a flood of made-up names cannot exhaust memory. */
        @WithDefault("100000")
        int maxTracked();
    }

    /** Locks a username after many consecutive failures, even for the right password. */
    interface Lockout {
        @WithDefault("false")
        boolean enabled();

        @WithDefault("50")
        int threshold();

        @WithDefault("15m")
        Duration duration();
    }

    interface Tokens {
        @WithDefault("90d")
        Duration defaultLifetime();

        @WithDefault("365d")
        Duration maxLifetime();
    }
}
