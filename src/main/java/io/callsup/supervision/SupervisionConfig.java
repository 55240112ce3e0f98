package io.callsup.supervision;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * Every time-out of the session machine, prefix {@code callsup.supervision}. The ordering matters:
 * decision-deadline < Kamailio's decision timeout (CS_HTTP_TIMEOUT, 2 s) < confirm-deadline, so the
 * service answers before Kamailio gives up, and a join whose answer never got confirmed is timed out
 * only after Kamailio has surely finished with it.
 */
@ConfigMapping(prefix = "callsup.supervision")
public interface SupervisionConfig {

    /** The service's bound for answering a dialled code, media included. Must stay below Kamailio's 2 s. */
    @WithDefault("1500ms")
    Duration decisionDeadline();

    /**
     * Kamailio's bound for the decision (its CS_HTTP_TIMEOUT / KAMAILIO_HTTP_TIMEOUT): stated here
     * so the service can refuse to start with a deadline that Kamailio would not wait for.
     */
    @WithDefault("2s")
    Duration kamailioDecisionTimeout();

    /** How long an accepted dial-in may wait for Kamailio to confirm the 200 went out before it is timed out. */
    @WithDefault("5s")
    Duration confirmDeadline();

    /** How often the media reconciler compares rtpengine with the sessions (and retries teardowns). */
    @WithDefault("5s")
    Duration mediaReconcileInterval();

    /** How often each rtpengine is pinged. */
    @WithDefault("1s")
    Duration pingInterval();

    /** Consecutive failed pings after which a daemon's sessions are ended as media-lost. */
    @WithDefault("2")
    int pingFailures();

    /** Off only for tests that have no rtpengine. */
    @WithDefault("true")
    boolean mediaReconcile();
}
