package io.callsup.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The tracer of the service's own spans. With {@code quarkus.otel.sdk.disabled=true} (the default)
 * Quarkus still hands out an SDK tracer, with no exporter but making real spans (and Prometheus
 * exemplars from them); Quarkus's own instrumentation switches itself off then, and so do ours:
 * this is the no-op tracer, so tracing off costs nothing.
 */
@ApplicationScoped
public class CallsupTracer {

    private final Tracer tracer;

    public CallsupTracer(@ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean disabled,
                         Tracer sdk) {
        this.tracer = disabled ? OpenTelemetry.noop().getTracer("io.callsup") : sdk;
    }

    public Tracer get() {
        return tracer;
    }
}
