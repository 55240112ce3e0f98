package io.callsup.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The shared live event log, prefix {@code callsup.events}. */
@ConfigMapping(prefix = "callsup.events")
public interface LiveEventConfig {

    /** How long events stay replayable by Last-Event-ID; older rows are pruned. */
    @WithDefault("15m")
    Duration retention();

    /**
     * How long a replica waits for an id it skipped (a transaction that took an id before another
     * but committed after it) before giving it up as rolled back. Such a late event is delivered
     * when it commits, after newer ones: the one case where a stream is not in commit order.
     */
    @WithDefault("10s")
    Duration gapWait();

    /** Read the log at least this often even without a notification (a lost LISTEN connection). */
    @WithDefault("1s")
    Duration pollInterval();
}
