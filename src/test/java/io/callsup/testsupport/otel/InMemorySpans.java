package io.callsup.testsupport.otel;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The span exporter tests read, as the Quarkus OpenTelemetry guide recommends: a CDI
 * {@code SpanExporter} bean, which the default exporter setting ("cdi") adds next to OTLP. It exists
 * in every test run; with the SDK disabled (the default) it receives nothing, which
 * ObservabilityTest checks.
 */
@ApplicationScoped
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
