package io.callsup.testsupport.otel;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * The spans tests read, recorded by a CDI {@code SpanProcessor} bean that Quarkus adds next to its
 * OTLP processor. Deliberately NOT a {@code SpanExporter} bean, as the Quarkus guide suggests: in
 * Quarkus 3.34 any {@code SpanExporter} bean replaces the OTLP exporter (the OTLP span processor
 * becomes a no-op when {@code Instance<SpanExporter>} is satisfied), so the tests would no longer
 * see what a deployment exports. It exists in every test run; with the SDK disabled (the default)
 * it receives nothing, which ObservabilityTest checks.
 */
@ApplicationScoped
public class InMemorySpans {

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

    @Produces
    @Singleton
    SpanProcessor recorder() {
        return SimpleSpanProcessor.create(exporter);
    }

    public List<SpanData> getFinishedSpanItems() {
        return exporter.getFinishedSpanItems();
    }

    public void reset() {
        exporter.reset();
    }
}
