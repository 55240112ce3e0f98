package io.callsup.media;

import java.time.Duration;
import java.util.List;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Quarkus wiring: at start-up checks the daemons ({@code callsup.media.startup-check}) and starts
 * the DTMF log listener ({@code callsup.media.dtmf-log.*}), which fires {@link DtmfEvent} as a CDI
 * event (observe it with {@code @Observes DtmfEvent}; synchronous, so digits keep their order: observers must only queue).
 */
@ApplicationScoped
public class MediaStartup {
    private static final Logger LOG = Logger.getLogger(MediaStartup.class);
    /** Counter of DTMF-log datagrams that triggered nothing, tagged by reason. */
    static final String DROPPED_METRIC = "callsup.dtmf.log.dropped";

    @Inject
    MediaConfig config;
    @Inject
    RtpengineCheck check;
    @Inject
    Vertx vertx;
    @Inject
    Event<DtmfEvent> dtmfEvents;
    @Inject
    MeterRegistry meters;

    private DtmfListener listener;

    void onStart(@Observes StartupEvent ev) {
        if (config.startupCheck()) {
            // Fails start-up with RtpengineUnsupportedException naming the required version.
            List<String> versions = check.checkAll().await().atMost(Duration.ofSeconds(30));
            LOG.infof("rtpengine %s at %s: supports supervision", versions, config.rtpengine());
        }
        if (config.dtmfLog().enabled()) {
            // Asynchronous: the listener runs on a Vert.x event loop, which observers must not block.
            DtmfSources sources = config.dtmfLog().allowedSources().filter(l -> !l.isEmpty())
                    .map(DtmfSources::of).orElseGet(() -> DtmfSources.ofRtpengines(config.rtpengine()));
            LOG.infof("DTMF log datagrams are believed only from %s", sources);
            listener = new DtmfListener(vertx, config.dtmfLog().host(), config.dtmfLog().port(), sources,
                    (reason, sender) -> meters.counter(DROPPED_METRIC, "reason", reason).increment(),
                    dtmfEvents::fire);
            listener.start().toCompletionStage().toCompletableFuture().join();
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (listener != null) {
            listener.close();
        }
    }
}
