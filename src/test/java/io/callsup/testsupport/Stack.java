package io.callsup.testsupport;

import io.restassured.RestAssured;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything the product runs on, for tests and the demo that need the service as a separate
 * process: PostgreSQL, Artemis, rtpengine and Kamailio as in {@link InfrastructureResource}, plus
 * the packaged service.
 */
public final class Stack implements AutoCloseable {

    private final PostgresResource postgres = new PostgresResource();
    private final ArtemisResource artemis = new ArtemisResource();
    private final RtpengineResource rtpengine = new RtpengineResource();
    private final KamailioResource kamailio = new KamailioResource();
    private final Map<String, String> config = new HashMap<>();
    private final Map<String, String> overrides = new HashMap<>();
    private ServiceProcess service;

    /** A service setting that replaces the test default (e.g. the log level for a benchmark); before start. */
    public Stack with(String key, String value) {
        overrides.put(key, value);
        return this;
    }

    public Stack start(Path serviceLog) throws Exception {
        config.putAll(postgres.start());
        config.putAll(artemis.start());
        config.putAll(rtpengine.start());
        int port = TestPorts.free();
        int managementPort = TestPorts.free();
        config.putAll(kamailio.start(postgres.kamailioUrl(), managementPort));
        config.put("callsup.security.bootstrap-admin.username", TestApi.ADMIN_USER);
        config.put("callsup.security.bootstrap-admin.password", TestApi.ADMIN_PASSWORD);
        config.put("callsup.security.password-hash-iterations", "1000");
        config.put("quarkus.log.category.\"io.callsup\".level", "DEBUG");
        config.putAll(overrides);
        service = new ServiceProcess(config, port, managementPort, serviceLog);
        service.start();
        RestAssured.port = port;
        return this;
    }

    public ServiceProcess service() {
        return service;
    }

    /** A second replica of the service against the same database and broker. */
    public ServiceProcess startReplica(Path log) throws Exception {
        Map<String, String> replicaConfig = new HashMap<>(config);
        // Pods have their own addresses; on one host the second replica needs its own DTMF-log port.
        replicaConfig.put("callsup.media.dtmf-log.port", Integer.toString(TestPorts.free()));
        ServiceProcess replica = new ServiceProcess(replicaConfig, TestPorts.free(), TestPorts.free(), log);
        replica.start();
        return replica;
    }

    public String artemisUrl() {
        return config.get("quarkus.artemis.url");
    }

    public Connection jdbc() throws SQLException {
        return DriverManager.getConnection(config.get("quarkus.datasource.jdbc.url"),
                config.get("quarkus.datasource.username"), config.get("quarkus.datasource.password"));
    }

    @Override
    public void close() throws Exception {
        if (service != null) {
            service.close();
        }
        kamailio.stop();
        rtpengine.stop();
        artemis.stop();
        postgres.stop();
    }
}
