package io.callsup.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.util.Map;

/** A real PostgreSQL server, unpacked from Maven and started on a free loopback port. */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        try {
            postgres = EmbeddedPostgres.builder().start();
        } catch (Exception e) {
            throw new IllegalStateException("embedded PostgreSQL did not start", e);
        }
        return Map.of(
                "quarkus.datasource.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }

    /** The same database in the URL form Kamailio's db_postgres wants; embedded PostgreSQL trusts local users. */
    public String kamailioUrl() {
        return "postgres://postgres:postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    @Override
    public void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (Exception ignored) {
                // the JVM is going away with the test run
            }
        }
    }
}
