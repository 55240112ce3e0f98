package io.callsup.tracing;

import io.callsup.supervision.port.TraceContext;
import io.opentelemetry.context.Context;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@link TraceContext} on OpenTelemetry: the task runs with the trace captured when it was queued.
 * Quarkus keeps the current trace in the Vert.x (duplicated) context, and the executor hands a task
 * the Vert.x context of whoever queued it: shared with a request or a DTMF datagram still closing
 * its own spans on another thread, which would reset the trace under the running task. Each task
 * therefore runs on a duplicate of its own.
 */
@ApplicationScoped
public class OtelTraceContext implements TraceContext {

    @Override
    public Runnable carry(Runnable task) {
        Runnable traced = Context.current().wrap(task);
        return () -> {
            io.vertx.core.Context shared = Vertx.currentContext();
            if (shared == null) {
                traced.run();
            } else {
                // Not dispatch(): that would swallow the task's exception, which the caller logs.
                ContextInternal own = (ContextInternal) VertxContext.createNewDuplicatedContext(shared);
                ContextInternal before = own.beginDispatch();
                try {
                    traced.run();
                } finally {
                    own.endDispatch(before);
                }
            }
        };
    }
}
