package io.callsup.testsupport;

import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

import java.nio.file.Path;

/**
 * One broker of {@link ArtemisPair}, as its own process so that a test can kill it with SIGKILL
 * (an embedded broker in the test JVM can only be stopped politely). Arguments: the broker.xml to
 * load; everything else comes in as system properties the XML refers to.
 */
public final class ArtemisNode {

    private ArtemisNode() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ();
        broker.setConfigResourcePath(Path.of(args[0]).toUri().toString());
        broker.start();
        System.out.println("CALLSUP-ARTEMIS-NODE started");
        Thread.currentThread().join();
    }
}
