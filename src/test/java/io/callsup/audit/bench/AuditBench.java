package io.callsup.audit.bench;

import io.callsup.audit.RelayWorker;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark, not a test: audit events per second through the transactional outbox to a JMS
 * consumer, with the production relay code ({@link RelayWorker}), a real PostgreSQL (embedded,
 * migrated by Flyway with the service's migrations) and a real persistent Artemis broker (journal
 * fsync on, like a default broker) in this JVM.
 * <ul>
 *   <li>steady state: writer threads commit one event per transaction (as a session change does)
 *       while the relay publishes and a durable subscriber consumes; the figure is events
 *       received / time from the first commit to the last receipt;</li>
 *   <li>backlog drain: the events are already in the outbox (as after a broker outage); the figure
 *       is events received / time to drain.</li>
 * </ul>
 * Run with {@code bin/bench-audit [events] [writers]}.
 */
public class AuditBench {

    private static final String ADDRESS = "callsup.supervision.audit";
    private static final int BATCH = Integer.getInteger("bench.batch", 1000); // the relay's default

    @Test
    void bench() throws Exception {
        run(Integer.getInteger("bench.events", 20000), Integer.getInteger("bench.writers", 4));
    }

    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 20000, args.length > 1 ? Integer.parseInt(args[1]) : 4);
    }

    static void run(int events, int writers) throws Exception {
        // Outside Quarkus nothing configures JBoss LogManager, whose root level is then ALL: Artemis's
        // isTraceEnabled() guards pass and the broker and client format trace lines for every packet,
        // journal record and delivery. That, not the relay, was most of the CPU the benchmark measured
        // before (the service runs at Quarkus's INFO). Artemis's audit loggers write a line per message
        // at INFO; the service turns them down to WARN (application.properties), so does this.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
        java.util.logging.Logger.getLogger("org.apache.activemq.audit").setLevel(java.util.logging.Level.WARNING);
        Path dir = Path.of("target", "bench-artemis");
        deleteTree(dir);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setPersistenceEnabled(true).setJournalType(JournalType.NIO).setSecurityEnabled(false)
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setLargeMessagesDirectory(dir.resolve("large").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port));
        broker.start();
        String brokerUrl = "tcp://127.0.0.1:" + port;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            Flyway.configure().dataSource(url, "postgres", "postgres").locations("classpath:db/migration").load().migrate();
            String payload = samplePayload();
            System.out.printf("%naudit outbox bench: %d events, %d writer threads, payload %d bytes, relay batch %d,"
                    + " persistent broker (journal fsync on), %d cores%n", events, writers, payload.length(), BATCH,
                    Runtime.getRuntime().availableProcessors());

            CpuMeter cpu = new CpuMeter(pg.getPort());
            double steady = steadyState(url, brokerUrl, events, writers, payload, cpu);
            double drain = backlogDrain(url, brokerUrl, events, payload, cpu);
            System.out.printf("RESULT steady state (commit -> relay -> consumer): %.0f events/s%n", steady);
            System.out.printf("RESULT backlog drain (relay -> consumer):          %.0f events/s%n", drain);
            System.out.println("reproduce: bin/bench-audit " + events + " " + writers);
        } finally {
            broker.stop();
        }
    }

    private static double steadyState(String url, String brokerUrl, int events, int writers, String payload,
                                      CpuMeter cpu) throws Exception {
        try (Counter consumer = new Counter(brokerUrl, "steady")) {
            cpu.start();
            ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
            AtomicBoolean done = new AtomicBoolean();
            long start = System.nanoTime();
            List<Future<?>> tasks = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int share = events / writers + (w < events % writers ? 1 : 0);
                tasks.add(pool.submit(() -> {
                    try (Connection c = DriverManager.getConnection(url, "postgres", "postgres")) {
                        c.setAutoCommit(false);
                        UUID session = UUID.randomUUID();
                        for (int i = 0; i < share; i++) {
                            insert(c, session, payload);
                            c.commit();
                        }
                    }
                    return null;
                }));
            }
            Future<?> relay = pool.submit(() -> {
                try (RelayWorker worker = worker(url, brokerUrl)) {
                    while (!done.get()) {
                        if (worker.relayOnce().published().isEmpty()) {
                            Thread.sleep(2);
                        }
                    }
                }
                return null;
            });
            for (Future<?> t : tasks) {
                t.get();
            }
            double writeSeconds = (System.nanoTime() - start) / 1e9;
            consumer.await(events);
            double seconds = (System.nanoTime() - start) / 1e9;
            done.set(true);
            relay.get();
            pool.shutdown();
            System.out.printf("steady state: %d events committed in %.2f s (%.0f commits/s), all received after %.2f s%n",
                    events, writeSeconds, events / writeSeconds, seconds);
            reportCpu("steady state (writers included)", cpu.stop(), events);
            return events / seconds;
        }
    }

    private static double backlogDrain(String url, String brokerUrl, int events, String payload, CpuMeter cpu)
            throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres")) {
            c.setAutoCommit(false);
            UUID session = UUID.randomUUID();
            for (int i = 0; i < events; i++) {
                insert(c, session, payload);
            }
            c.commit();
        }
        try (Counter consumer = new Counter(brokerUrl, "drain"); RelayWorker worker = worker(url, brokerUrl)) {
            long start = System.nanoTime();
            cpu.start();
            while (!worker.relayOnce().published().isEmpty()) {
                // publish until the outbox is empty
            }
            consumer.await(events);
            double seconds = (System.nanoTime() - start) / 1e9;
            reportCpu("backlog drain", cpu.stop(), events);
            System.out.printf("backlog drain: %d events published and received in %.2f s%n", events, seconds);
            return events / seconds;
        }
    }

    /**
     * CPU per event of this JVM (relay, broker, consumer) and PostgreSQL, and the rate that CPU
     * allows on all of this machine's cores if nothing else ran: a projection, printed as one.
     */
    private static void reportCpu(String phase, long[] nanos, int events) {
        long total = nanos[0] + Math.max(0, nanos[1]);
        double perEventUs = total / 1e3 / events;
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("CPU %s: %.0f us per event (JVM: relay + broker + consumer %.0f us, PostgreSQL %s);"
                        + " CPU-bound ceiling on %d idle cores %.0f events/s%n", phase, perEventUs, nanos[0] / 1e3 / events,
                nanos[1] < 0 ? "not found" : String.format("%.0f us", nanos[1] / 1e3 / events), cores,
                cores * 1e6 / perEventUs);
    }

    /** The relay with one long-lived database connection, as the service's pool gives it. */
    private static RelayWorker worker(String url, String brokerUrl) throws Exception {
        Connection shared = DriverManager.getConnection(url, "postgres", "postgres");
        Connection pooled = (Connection) java.lang.reflect.Proxy.newProxyInstance(AuditBench.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        shared.rollback();
                        return null;
                    }
                    try {
                        return method.invoke(shared, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new RelayWorker(() -> pooled, new ActiveMQConnectionFactory(brokerUrl), ADDRESS, BATCH, null);
    }

    private static void insert(Connection c, UUID session, String payload) throws Exception {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO audit_outbox "
                + "(event_id, event_type, session_id, customer_id, payload) VALUES (?, ?, ?, ?, ?)")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setString(2, "io.callsup.supervision.mode_changed");
            insert.setObject(3, session);
            insert.setLong(4, 42);
            insert.setString(5, payload);
            insert.executeUpdate();
        }
    }

    /** A mode_changed event as the service renders it. */
    private static String samplePayload() {
        return """
                {"specversion":"1.0","id":"8b128137-565e-44aa-ba79-8f1d41e07c26","source":"/callsup/supervision",\
                "type":"io.callsup.supervision.mode_changed","subject":"dc25abd7-aafd-48ef-955c-ba4061892dbd",\
                "time":"2026-11-24T00:40:34.578994455Z","datacontenttype":"application/json","customerid":42,\
                "data":{"sessionId":"dc25abd7-aafd-48ef-955c-ba4061892dbd","sequence":2,"customer":{"id":42,"name":"ABC"},\
                "supervisor":{"accountId":6,"extension":"745"},"agent":{"accountId":5,"extension":"744"},\
                "credential":{"kind":"sip-digest","realm":"abc.pbx.example"},\
                "authorisedBy":{"kind":"hunt-group","huntGroupId":3,"huntGroupName":"Support"},"joinedBy":"code",\
                "callId":"a84b4c76e66710@pbx.example","client":{"number":"+**********789","masked":true},\
                "mode":"whisper","from":"spy","to":"whisper","trigger":"rfc4733",\
                "startedAt":"2026-11-24T00:40:34.434247Z","occurredAt":"2026-11-24T00:40:34.578994455Z"}}""";
    }

    /** A durable subscriber counting messages on its own thread. */
    private static final class Counter implements AutoCloseable {
        private final jakarta.jms.Connection connection;
        private final AtomicInteger count = new AtomicInteger();

        Counter(String brokerUrl, String name) throws Exception {
            connection = new ActiveMQConnectionFactory(brokerUrl).createConnection();
            connection.setClientID("bench-" + name);
            Session session = connection.createSession(false, Session.DUPS_OK_ACKNOWLEDGE);
            MessageConsumer consumer = session.createDurableConsumer(session.createTopic(ADDRESS), "bench-" + name);
            consumer.setMessageListener((Message m) -> count.incrementAndGet());
            connection.start();
        }

        void await(int n) throws InterruptedException {
            long deadline = System.nanoTime() + 600_000_000_000L;
            while (count.get() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + count.get() + " of " + n + " received");
                }
                Thread.sleep(1);
            }
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }
}
