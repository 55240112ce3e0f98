package io.callsup.testsupport;

import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

import java.nio.file.Path;

/**
 * One broker of {@link ArtemisPair}, as its own process so that a test can kill it with SIGKILL
 * (an embedded broker in the test JVM can only be stopped politely). Arguments: the broker.xml to
 * load; everything else comes in as system properties the XML refers to.
 * <p>
 * It prints {@link #ACTIVE} (and the epoch milliseconds) when the broker serves clients and
 * {@link #REPLICA_SYNCHRONIZED} when primary and backup hold the same journal, read from the
 * broker's state rather than from its log: which logging back-end the broker's SLF4J finds depends
 * on the class path (Log4j 2 in the Artemis release, JBoss LogManager on the test class path), and a
 * log line that never comes would read as a broker that never starts.
 */
public final class ArtemisNode {

    /** The broker serves clients (a primary at start, a backup once it took over). */
    static final String ACTIVE = "CALLSUP-ARTEMIS-NODE active";
    /** The backup's replica is up to date with the primary (or the primary's backup is). */
    static final String REPLICA_SYNCHRONIZED = "CALLSUP-ARTEMIS-NODE replica-synchronized";

    private ArtemisNode() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setConfigResourcePath(Path.of(args[0]).toUri().toString());
        broker.start();
        System.out.println("CALLSUP-ARTEMIS-NODE started");
        ActiveMQServer server = broker.getActiveMQServer();
        boolean active = false;
        boolean synced = false;
        while (true) {
            if (!active && server.isActive()) {
                active = true;
                System.out.println(ACTIVE + " " + System.currentTimeMillis());
            }
            // true on the primary once its backup caught up, on the backup once it is up to date
            if (!synced && server.isReplicaSync()) {
                synced = true;
                System.out.println(REPLICA_SYNCHRONIZED);
            }
            Thread.sleep(20);
        }
    }
}
