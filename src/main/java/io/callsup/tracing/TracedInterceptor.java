package io.callsup.tracing;

import io.callsup.supervision.port.Traced;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * One INTERNAL span per {@link Traced} step, child of the current span (only a root step starts a
 * trace). With the SDK disabled (the
 * default) the tracer is a no-op and this costs a few object allocations per step.
 */
@Traced("")
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_AFTER + 10)
public class TracedInterceptor {

    // A step that calls itself through another traced overload (SessionRunner.apply -> applyToFound)
    // is one step, not two nested spans of the same name.
    private static final ContextKey<String> STEP = ContextKey.named("callsup.traced-step");

    @Inject
    CallsupTracer tracer;

    @AroundInvoke
    Object trace(InvocationContext ic) throws Exception {
        Traced traced = traced(ic);
        if (traced == null) {
            return ic.proceed();
        }
        String name = traced.value().endsWith(".") ? traced.value() + ic.getMethod().getName() : traced.value();
        Context parent = Context.current();
        if (name.equals(parent.get(STEP))
                || (!traced.root() && !Span.fromContext(parent).getSpanContext().isValid())) {
            return ic.proceed();
        }
        Span span = tracer.get().spanBuilder(name).setParent(parent).startSpan();
        try (Scope ignored = parent.with(span).with(STEP, name).makeCurrent()) {
            return ic.proceed();
        } catch (Exception | Error e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            span.recordException(e);
            throw e;
        } finally {
            span.end();
        }
    }

    private static Traced traced(InvocationContext ic) {
        Traced onMethod = ic.getMethod().getAnnotation(Traced.class);
        return onMethod != null ? onMethod : ic.getMethod().getDeclaringClass().getAnnotation(Traced.class);
    }
}
