package io.callsup.supervision;

import io.callsup.media.DtmfEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;

/** Feeds rtpengine's RFC 4733 digits into the state machine, off the event loop. */
@ApplicationScoped
public class DtmfTriggers {

    private static final Logger LOG = Logger.getLogger(DtmfTriggers.class);

    private final SupervisionService supervision;

    public DtmfTriggers(SupervisionService supervision) {
        this.supervision = supervision;
    }

    void onDigit(@ObservesAsync DtmfEvent event) {
        try {
            supervision.rfc4733Digit(event.callId(), event.sourceTag(), event.digit());
        } catch (RuntimeException e) {
            // One bad digit must not silence the listener for the next one.
            LOG.errorf(e, "RFC 4733 digit %s from %s on %s failed", event.digit(), event.sourceTag(), event.callId());
        }
    }
}
