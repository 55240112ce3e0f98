package io.callsup.media;

import io.callsup.supervision.SupervisionService;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Feeds rtpengine's RFC 4733 digits into the state machine: queued in arrival order on the listener's thread, run off it. */
@ApplicationScoped
public class DtmfTriggers {

    private static final Logger LOG = Logger.getLogger(DtmfTriggers.class);

    private final SupervisionService supervision;

    public DtmfTriggers(SupervisionService supervision) {
        this.supervision = supervision;
    }

    void onDigit(@Observes DtmfEvent event) {
        try {
            supervision.rfc4733Digit(event.callId(), event.sourceTag(), event.digit());
        } catch (RuntimeException e) {
            // One bad digit must not silence the listener for the next one.
            LOG.errorf(e, "RFC 4733 digit %s from %s on %s failed", event.digit(), event.sourceTag(), event.callId());
        }
    }
}
