package io.callsup.supervision.port;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a step of the dial-in, DTMF or API-join path as one span of the operator's trace. The core
 * only names its steps; the tracing adapter (io.callsup.tracing) decides what a span is, so the core
 * never depends on a tracing library. Attributes are left to the adapters: the core's arguments
 * hold phone numbers and SDP, which must never reach a trace backend.
 */
@InterceptorBinding
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Traced {

    /** The span's name; a value ending in '.' is a prefix to which the method's name is appended. */
    @Nonbinding
    String value();

    /**
     * Whether this step may start a trace of its own. Other steps are recorded only inside one, so
     * the steps that also run on a timer or a health probe (a Kamailio ping) make no trace per run.
     */
    @Nonbinding
    boolean root() default false;
}
