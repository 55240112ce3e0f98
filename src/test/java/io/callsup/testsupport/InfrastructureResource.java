package io.callsup.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * The real programs around the service, started in dependency order: PostgreSQL, Artemis,
 * rtpengine, then Kamailio (which reads accounts from PostgreSQL and media from rtpengine).
 */
public class InfrastructureResource implements QuarkusTestResourceLifecycleManager {

    private final PostgresResource postgres = new PostgresResource();
    private final ArtemisResource artemis = new ArtemisResource();
    private final RtpengineResource rtpengine = new RtpengineResource();
    private final KamailioResource kamailio = new KamailioResource();

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        config.putAll(postgres.start());
        config.putAll(artemis.start());
        config.putAll(rtpengine.start());
        // Kamailio must know the service's internal (management) port before the service starts.
        int servicePort = TestPorts.free();
        int managementPort = TestPorts.free();
        config.put("quarkus.http.test-port", Integer.toString(servicePort));
        config.put("quarkus.management.test-port", Integer.toString(managementPort));
        TestPorts.publish("service-management", managementPort);
        config.putAll(kamailio.start(postgres.kamailioUrl(), managementPort));
        return config;
    }

    @Override
    public void stop() {
        kamailio.stop();
        rtpengine.stop();
        artemis.stop();
        postgres.stop();
    }
}
