package io.callsup.media;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.callsup.supervision.port.MediaMixer.MediaFailure;
import io.callsup.tracing.SpanAttributes;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.vertx.core.Context;

/**
 * Blocking face of {@link NgClient} for {@link RtpengineMixer}: every command waits at most the
 * command deadline, and every failure surfaces as {@link MediaFailure} (never a raw exception).
 */
final class SyncNg {
    private final NgClient ng;
    private final Duration deadline;
    private volatile Tracer tracer = OpenTelemetry.noop().getTracer("callsup");

    SyncNg(NgClient ng, Duration deadline) {
        this.ng = ng;
        this.deadline = deadline;
    }

    void traceWith(Tracer tracer) {
        this.tracer = tracer;
    }

    NgClient client() {
        return ng;
    }

    Map<String, Object> send(NgAddress d, Map<String, Object> command) {
        return send(d, command, null, -1);
    }

    /** With {@code timeout} non-null: one attempt budget and {@code retries} for this command only. */
    Map<String, Object> send(NgAddress d, Map<String, Object> command, Duration timeout, int retries) {
        // Only inside a traced step: readiness pings and the reconciler's queries every second would
        // otherwise each be a trace of their own.
        if (!Span.current().getSpanContext().isValid()) {
            return sendUntraced(d, command, timeout, retries);
        }
        Object name = command.get("command");
        Span span = tracer.spanBuilder("rtpengine.ng " + name).setSpanKind(SpanKind.CLIENT)
                .setAttribute(SpanAttributes.NG_COMMAND, String.valueOf(name))
                .setAttribute(SpanAttributes.NG_DAEMON, d.toString())
                .setAttribute(SpanAttributes.CALL_ID_HASH, SpanAttributes.hash((String) command.get("call-id")))
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return sendUntraced(d, command, timeout, retries);
        } catch (MediaFailure f) {
            span.setStatus(StatusCode.ERROR, f.getMessage());
            throw f;
        } finally {
            span.end();
        }
    }

    private Map<String, Object> sendUntraced(NgAddress d, Map<String, Object> command, Duration timeout, int retries) {
        if (Context.isOnEventLoopThread()) {
            // The reply is delivered on an event loop: blocking one here could wait for itself.
            throw new MediaFailure("media commands block; do not call them on a Vert.x event loop", false, null);
        }
        Object name = command.get("command");
        try {
            var f = timeout == null ? ng.request(d, command) : ng.request(d, command, timeout, retries);
            return f.toCompletionStage().toCompletableFuture().get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new MediaFailure("rtpengine " + d + " gave no reply to '" + name + "' within " + deadline.toMillis()
                    + " ms", false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MediaFailure("interrupted waiting for rtpengine " + d + " ('" + name + "')", false, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            if (c instanceof RtpengineErrorException re) {
                throw new MediaFailure(re.getMessage(), re.isUnknownCall(), re);
            }
            throw new MediaFailure("'" + name + "' to rtpengine " + d + " failed: " + c.getMessage(), false, c);
        } catch (RuntimeException e) {
            throw new MediaFailure("'" + name + "' to rtpengine " + d + " failed: " + e.getMessage(), false, e);
        }
    }

    CallView query(NgAddress d, String callId) {
        Map<String, Object> reply = send(d, cmd("query", callId));
        if (!(reply.get("tags") instanceof Map<?, ?>)) {
            throw new MediaFailure("rtpengine " + d + " answered 'query' of " + callId + " without tags", false, null);
        }
        return CallView.parse(reply);
    }

    /** Null when the daemon does not know the call. */
    CallView queryOrNull(NgAddress d, String callId) {
        try {
            return query(d, callId);
        } catch (MediaFailure f) {
            if (f.unknownCall()) {
                return null;
            }
            throw f;
        }
    }

    static Map<String, Object> cmd(String command, String callId, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", command);
        if (callId != null) {
            m.put("call-id", callId);
        }
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put((String) kv[i], kv[i + 1]);
            }
        }
        return m;
    }
}
