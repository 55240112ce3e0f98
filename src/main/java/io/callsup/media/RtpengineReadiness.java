package io.callsup.media;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Readiness (never liveness: a restart does not bring rtpengine back) for the media daemons: each
 * answers an ng ping, and the start-up check (version, commands) has passed. DOWN while no daemon
 * answers or the check has not passed yet: a replica without media can only refuse joins.
 */
@Readiness
@ApplicationScoped
public class RtpengineReadiness implements HealthCheck {
    private final RtpengineMixer mixer;
    private final MediaStartup startup;

    public RtpengineReadiness(RtpengineMixer mixer, MediaStartup startup) {
        this.mixer = mixer;
        this.startup = startup;
    }

    @Override
    public HealthCheckResponse call() {
        MediaStartup.Verdict verdict = startup.verdict();
        HealthCheckResponseBuilder r = HealthCheckResponse.named("rtpengine").withData("startupCheck", verdict.text());
        int alive = 0;
        for (String d : mixer.daemons()) {
            boolean up = mixer.alive(d);
            alive += up ? 1 : 0;
            r.withData(d, up ? "answering" : "not answering");
        }
        return r.status(alive > 0 && verdict.verified()).build();
    }
}
