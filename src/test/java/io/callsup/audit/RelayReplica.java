package io.callsup.audit;

import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.sql.DriverManager;
import java.util.List;
import java.util.UUID;

/**
 * Another service replica's relay, or this one's after a restart: its own database connections
 * (plain JDBC, not the service's pool) and its own broker connection factory, against the same
 * PostgreSQL and Artemis the service uses.
 */
final class RelayReplica {

    private RelayReplica() {
    }

    static RelayWorker start(RelayWorker.AfterPublish afterPublish) {
        Config config = ConfigProvider.getConfig();
        String url = config.getValue("quarkus.datasource.jdbc.url", String.class);
        String user = config.getValue("quarkus.datasource.username", String.class);
        String password = config.getValue("quarkus.datasource.password", String.class);
        String broker = config.getValue("quarkus.artemis.url", String.class);
        String address = config.getOptionalValue("callsup.audit.address", String.class).orElse("callsup.supervision.audit");
        return new RelayWorker(() -> DriverManager.getConnection(url, user, password),
                new ActiveMQConnectionFactory(broker), address, 20, afterPublish);
    }

    /** Event ids of the outbox rows of {@code customerId} that are not yet sent. */
    static List<UUID> unsent(long customerId) {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() ->
                OutboxEvent.<OutboxEvent>list("customerId = ?1 and sentAt is null order by id", customerId)
                        .stream().map(r -> r.eventId).toList());
    }

    static List<UUID> all(long customerId) {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() ->
                OutboxEvent.<OutboxEvent>list("customerId = ?1 order by id", customerId)
                        .stream().map(r -> r.eventId).toList());
    }
}
