package io.callsup.media;

import io.callsup.supervision.SupervisionService;
import io.callsup.supervision.SupervisorTags;
import io.callsup.tracing.CallsupTracer;
import io.callsup.tracing.SpanAttributes;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Feeds rtpengine's RFC 4733 digits into the state machine: queued in arrival order on the listener's thread, run off it. */
@ApplicationScoped
public class DtmfTriggers {

    private static final Logger LOG = Logger.getLogger(DtmfTriggers.class);

    private final SupervisionService supervision;
    private final MeterRegistry meters;
    private final Tracer tracer;

    public DtmfTriggers(SupervisionService supervision, MeterRegistry meters, CallsupTracer tracer) {
        this.supervision = supervision;
        this.meters = meters;
        this.tracer = tracer.get();
    }

    void onDigit(@Observes DtmfEvent event) {
        Context listener = Vertx.currentContext();
        if (listener != null && !VertxContext.isDuplicatedContext(listener)) {
            // Quarkus keeps the current trace in a duplicated Vert.x context; on the DTMF socket's own
            // (root) context a span made current would be lost at once, and the queued switch would
            // start a trace of its own. Synchronous, so digits keep their order.
            ((ContextInternal) VertxContext.createNewDuplicatedContext(listener)).dispatch(() -> digit(event));
        } else {
            digit(event);
        }
    }

    private void digit(DtmfEvent event) {
        // Only our random supervisor tags can be triggers: agents' and clients' digits, and guessed
        // or old-style tags, stop here without a database lookup.
        if (!SupervisorTags.wellFormed(event.sourceTag())) {
            meters.counter(MediaStartup.DROPPED_METRIC, "reason", "not-supervisor-tag").increment();
            return;
        }
        // A UDP datagram carries no trace context: each supervisor digit starts its own trace, which
        // the queued switch (state machine, ng commands) joins through SerialTriggers.
        Span span = tracer.spanBuilder("callsup.dtmf").setSpanKind(SpanKind.CONSUMER).setNoParent()
                .setAttribute(SpanAttributes.DTMF_SOURCE, "rfc4733")
                .setAttribute(SpanAttributes.DTMF_DIGIT, String.valueOf(event.digit()))
                .setAttribute(SpanAttributes.CALL_ID_HASH, SpanAttributes.hash(event.callId())).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            supervision.rfc4733Digit(event.callId(), event.sourceTag(), event.digit());
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            // One bad digit must not silence the listener for the next one.
            LOG.errorf(e, "RFC 4733 digit %s from %s on %s failed", event.digit(), event.sourceTag(), event.callId());
        } finally {
            span.end();
        }
    }
}
