package io.callsup.tracing;

import io.callsup.supervision.port.TraceContext;
import io.opentelemetry.context.Context;
import jakarta.enterprise.context.ApplicationScoped;

/** {@link TraceContext} on OpenTelemetry: the task runs with the context captured when it was queued. */
@ApplicationScoped
public class OtelTraceContext implements TraceContext {

    @Override
    public Runnable carry(Runnable task) {
        return Context.current().wrap(task);
    }
}
