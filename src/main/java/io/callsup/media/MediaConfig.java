package io.callsup.media;

import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Media layer configuration, prefix {@code callsup.media}. */
@ConfigMapping(prefix = "callsup.media")
public interface MediaConfig {

    /** rtpengine ng control addresses, host:port (UDP). The first one is used for new calls it does not find elsewhere. */
    @WithDefault("127.0.0.1:22222")
    List<String> rtpengine();

    /**
     * Local address of the service's ng client socket (its port is chosen by the kernel). Empty: the
     * address the kernel routes from towards the first {@code rtpengine} address, so the socket
     * never listens on every interface.
     */
    java.util.Optional<String> ngLocalHost();

    /** Time to wait for one reply before re-sending the same request (same cookie). */
    @WithDefault("500ms")
    Duration requestTimeout();

    /** How many times a request is re-sent after the first attempt timed out. */
    @WithDefault("2")
    int requestRetries();

    /** Check at start-up that each daemon answers and is rtpengine >= 26. */
    @WithDefault("true")
    boolean startupCheck();

    /**
     * Delay before commands that make a supervisor audible when triggered by that supervisor's own
     * DTMF digit. Zero: since rtpengine fix fx3 a blocked sender's digit is never rendered into the
     * mix, so there is no tail to wait for (AudibleAfterDigitDelayTest). Only a daemon without fx3
     * would need it (about 50 ms), and bin/rtpengine-daemon refuses to start one.
     */
    @WithDefault("0ms")
    Duration audibleAfterDigitDelay();

    /**
     * Longest blocking wait for one ng command in {@link RtpengineMixer} (covers the client's own
     * retries); a method that sends several commands may wait this long for each.
     */
    @WithDefault("2s")
    Duration commandDeadline();

    /**
     * Retry-After of the 503 an API join gets when rtpengine cannot prepare the supervisor's media:
     * about how long a daemon restart takes (the reconciler finds it again on its first ping).
     */
    @WithDefault("5s")
    Duration retryAfter();

    /**
     * Where a supervisor's placeholder party "lives" (host:port in its SDP). rtpengine never sends
     * to it (the mixer unsubscribes it); the address only has to be syntactically valid.
     */
    @WithDefault("127.0.0.1:9")
    String placeholder();

    /** Most call-ids asked of one daemon by {@code supervisedCalls} (ng {@code list} limit; rtpengine's default is 32). */
    @WithDefault("100000")
    int listLimit();

    DtmfLog dtmfLog();

    interface DtmfLog {
        /** Listen for rtpengine's DTMF log datagrams (--dtmf-log-dest). */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("127.0.0.1")
        String host();

        @WithDefault("22223")
        int port();

        /**
         * Senders whose datagrams are believed: addresses, host names or CIDR blocks. Empty: the
         * hosts of {@code callsup.media.rtpengine}. Set it where rtpengine sends from another
         * address than its ng socket's (e.g. a Service name that resolves to a ClusterIP).
         */
        java.util.Optional<List<String>> allowedSources();

        /**
         * Interface on which to join the group when {@code host} is a multicast address (several
         * replicas: every rtpengine sends its log to the group, every replica receives it, and the
         * one holding the DTMF leader lock acts on it; README "Scaling out"). Required then.
         */
        java.util.Optional<String> multicastInterface();

        /** How often a replica tries to take the DTMF leader lock (multicast only): the takeover bound. */
        @WithDefault("500ms")
        Duration leaderCheck();
    }
}
