package io.callsup.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Artemis broker in the test JVM, reached over TCP like a standalone one. It is persistent
 * (journal under target/artemis-PORT, not fsynced) so that durable subscriptions and their messages
 * survive {@link #stopBroker()} / {@link #startBroker()}, which the audit broker-outage test uses.
 */
public class ArtemisResource implements QuarkusTestResourceLifecycleManager {

    // Test resources and test classes may be loaded by different class loaders, so the running
    // broker is reached through the platform MBean server (reflective calls, no shared types),
    // not through a static field.
    private static final String CONTROL = "io.callsup.test:type=EmbeddedArtemis";

    /** What tests may do to the broker. */
    public interface BrokerControl {
        void stopBroker();

        void startBroker();
    }

    private EmbeddedActiveMQ broker;
    private Configuration config;

    @Override
    public Map<String, String> start() {
        try {
            int port = freePort();
            Path dir = Path.of("target", "artemis-" + port);
            deleteTree(dir);
            config = new ConfigurationImpl()
                    .setPersistenceEnabled(true)
                    .setJournalType(JournalType.NIO)
                    .setJournalDatasync(false)
                    .setJournalSyncTransactional(false)
                    .setJournalSyncNonTransactional(false)
                    .setSecurityEnabled(false)
                    .setJournalDirectory(dir.resolve("journal").toString())
                    .setBindingsDirectory(dir.resolve("bindings").toString())
                    .setLargeMessagesDirectory(dir.resolve("large").toString())
                    .setPagingDirectory(dir.resolve("paging").toString())
                    .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port);
            startEmbedded();
            registerControl();
            return Map.of("quarkus.artemis.url", "tcp://127.0.0.1:" + port);
        } catch (Exception e) {
            throw new IllegalStateException("embedded Artemis did not start", e);
        }
    }

    private synchronized void startEmbedded() throws Exception {
        if (broker != null) {
            return;
        }
        EmbeddedActiveMQ fresh = new EmbeddedActiveMQ().setConfiguration(config);
        fresh.start();
        broker = fresh;
    }

    private synchronized void stopEmbedded() {
        if (broker == null) {
            return;
        }
        try {
            broker.stop();
        } catch (Exception e) {
            throw new IllegalStateException("embedded Artemis did not stop", e);
        } finally {
            broker = null;
        }
    }

    private void registerControl() throws Exception {
        BrokerControl control = new BrokerControl() {
            @Override
            public void stopBroker() {
                stopEmbedded();
            }

            @Override
            public void startBroker() {
                try {
                    startEmbedded();
                } catch (Exception e) {
                    throw new IllegalStateException("embedded Artemis did not restart", e);
                }
            }
        };
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(CONTROL);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
        server.registerMBean(new StandardMBean(control, BrokerControl.class), name);
    }

    /** Stops the running broker (same JVM, same port later); clients see their connections fail. */
    public static void stopBroker() {
        control("stopBroker");
    }

    /** Starts the broker again on the same port with the same journal. */
    public static void startBroker() {
        control("startBroker");
    }

    private static void control(String operation) {
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName(CONTROL), operation, null, null);
        } catch (Exception e) {
            throw new IllegalStateException("embedded Artemis " + operation + " failed", e);
        }
    }

    @Override
    public void stop() {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(new ObjectName(CONTROL));
        } catch (Exception ignored) {
            // not registered
        }
        try {
            stopEmbedded();
        } catch (RuntimeException ignored) {
            // the JVM is going away with the test run
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
