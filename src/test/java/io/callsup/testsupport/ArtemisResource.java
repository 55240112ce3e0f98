package io.callsup.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

/** A real Artemis broker in the test JVM, reached over TCP like a standalone one. */
public class ArtemisResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedActiveMQ broker;

    @Override
    public Map<String, String> start() {
        try {
            int port = freePort();
            Configuration config = new ConfigurationImpl()
                    .setPersistenceEnabled(false)
                    .setSecurityEnabled(false)
                    .setJournalDirectory("target/artemis/journal")
                    .setBindingsDirectory("target/artemis/bindings")
                    .setLargeMessagesDirectory("target/artemis/large")
                    .setPagingDirectory("target/artemis/paging")
                    .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port);
            broker = new EmbeddedActiveMQ().setConfiguration(config);
            broker.start();
            return Map.of("quarkus.artemis.url", "tcp://127.0.0.1:" + port);
        } catch (Exception e) {
            throw new IllegalStateException("embedded Artemis did not start", e);
        }
    }

    @Override
    public void stop() {
        if (broker != null) {
            try {
                broker.stop();
            } catch (Exception ignored) {
                // the JVM is going away with the test run
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
