package io.callsup.supervision.port;

/**
 * Carries the current trace into work run later on another thread (a queued digit), so that its
 * spans join the trace of the event that queued it rather than whichever task ran before it.
 */
public interface TraceContext {

    /** {@code task}, to be run later, as part of the trace current now. */
    Runnable carry(Runnable task);

    /** No tracing (component tests built by constructor). */
    TraceContext NONE = task -> task;
}
