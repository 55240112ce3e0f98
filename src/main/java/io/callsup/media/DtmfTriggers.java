package io.callsup.media;

import io.callsup.supervision.SupervisionService;
import io.callsup.supervision.SupervisorTags;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Feeds rtpengine's RFC 4733 digits into the state machine: queued in arrival order on the listener's thread, run off it. */
@ApplicationScoped
public class DtmfTriggers {

    private static final Logger LOG = Logger.getLogger(DtmfTriggers.class);

    private final SupervisionService supervision;
    private final MeterRegistry meters;

    public DtmfTriggers(SupervisionService supervision, MeterRegistry meters) {
        this.supervision = supervision;
        this.meters = meters;
    }

    void onDigit(@Observes DtmfEvent event) {
        // Only our random supervisor tags can be triggers: agents' and clients' digits, and guessed
        // or old-style tags, stop here without a database lookup.
        if (!SupervisorTags.wellFormed(event.sourceTag())) {
            meters.counter(MediaStartup.DROPPED_METRIC, "reason", "not-supervisor-tag").increment();
            return;
        }
        try {
            supervision.rfc4733Digit(event.callId(), event.sourceTag(), event.digit());
        } catch (RuntimeException e) {
            // One bad digit must not silence the listener for the next one.
            LOG.errorf(e, "RFC 4733 digit %s from %s on %s failed", event.digit(), event.sourceTag(), event.callId());
        }
    }
}
