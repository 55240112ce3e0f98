package io.callsup.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "callsup.api")
public interface ApiConfig {

    Idempotency idempotency();

    interface Idempotency {
        /** How long a key is remembered; after that the same key starts a new request. */
        @WithDefault("24h")
        Duration ttl();

        /** How often expired keys are deleted. */
        @WithDefault("1h")
        Duration purgeInterval();
    }
}
