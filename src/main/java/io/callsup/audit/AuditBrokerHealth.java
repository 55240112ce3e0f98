package io.callsup.audit;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness entry for the audit broker, replacing quarkus-artemis's own check (disabled with
 * {@code quarkus.artemis.health.enabled=false}), which would turn readiness DOWN whenever the broker
 * is away and so take the whole supervision service out of rotation although the outbox keeps every
 * event. It reports the broker's state, the backlog and the last error; it is DOWN only when
 * {@code callsup.audit.readiness-requires-broker=true}. It is never a liveness check.
 */
@Readiness
@ApplicationScoped
public class AuditBrokerHealth implements HealthCheck {

    private final OutboxRelay relay;
    private final AuditConfig config;

    public AuditBrokerHealth(OutboxRelay relay, AuditConfig config) {
        this.relay = relay;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        Boolean reachable = relay.brokerReachable();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Artemis audit broker")
                .withData("broker", reachable == null ? "unknown" : reachable ? "reachable" : "unreachable")
                .withData("address", config.address())
                .withData("outboxBacklog", relay.backlog());
        if (relay.lastError() != null) {
            response.withData("lastError", relay.lastError());
        }
        boolean down = config.readinessRequiresBroker() && Boolean.FALSE.equals(reachable);
        return response.status(!down).build();
    }
}
