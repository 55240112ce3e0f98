package io.callsup.kamailio;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Readiness (never liveness) for Kamailio's JSON-RPC: without it no supervisor leg can be rung,
 * released or told anything, so joins would only fail.
 */
@Readiness
@ApplicationScoped
public class KamailioReadiness implements HealthCheck {
    private final KamailioSupervisorPhone phone;
    private final KamailioConfig config;

    public KamailioReadiness(KamailioSupervisorPhone phone, KamailioConfig config) {
        this.phone = phone;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        boolean up = phone.reachable();
        return HealthCheckResponse.named("Kamailio JSON-RPC").withData("url", config.rpcUrl())
                .withData("rpc", up ? "answering" : "not answering").status(up).build();
    }
}
