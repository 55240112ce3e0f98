package io.callsup.testsupport.otel;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * Tracing switched on as an operator would (README, "Observability"), exporting over OTLP/HTTP to
 * {@link OtlpReceiver} and, through the CDI exporter, to {@link InMemorySpans}. Short batch delays
 * so spans are exported within the test's waits. Every SQL statement is an event on its span
 * ({@link SqlSpanEvents}).
 */
public class TracingProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        int port = OtlpReceiver.start();
        return Map.of(
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:" + port,
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                "quarkus.otel.bsp.schedule.delay", "100ms",
                // Each SQL statement as a span event, so the traces count a join's statements.
                "quarkus.hibernate-orm.unsupported-properties.\"hibernate.session_factory.statement_inspector\"",
                SqlSpanEvents.class.getName());
    }
}
