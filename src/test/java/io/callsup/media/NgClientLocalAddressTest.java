package io.callsup.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;

/**
 * The ng client's UDP socket is bound to one address, never the wildcard (issue 13: it used to
 * listen on 0.0.0.0). A fake daemon on 127.0.0.30 sees where requests come from.
 */
class NgClientLocalAddressTest {

    @Test
    void bindsTheConfiguredAddress() throws Exception {
        assertThat(senderOf("127.0.0.30")).isEqualTo("127.0.0.30");
    }

    @Test
    void withoutOneBindsTheAddressThatRoutesToTheDaemon() throws Exception {
        // Linux routes every 127.x destination from 127.0.0.1; a wildcard socket would also send from
        // there, so the bound address itself is checked on the routing helper.
        assertThat(senderOf(null)).isEqualTo("127.0.0.1");
        assertThat(NgClient.routedSource(new NgAddress("127.0.0.30", 9))).isEqualTo("127.0.0.1");
        assertThat(InetAddress.getByName(NgClient.routedSource(new NgAddress("127.0.0.30", 9))).isAnyLocalAddress())
                .isFalse();
    }

    @Test
    void anUnresolvableDaemonFallsBackToLoopbackNotTheWildcard() {
        assertThat(NgClient.routedSource(new NgAddress("no-such-host.invalid", 9))).isEqualTo("127.0.0.1");
    }

    private static String senderOf(String localHost) throws Exception {
        Vertx vertx = Vertx.vertx();
        try (DatagramSocket daemon = new DatagramSocket(new InetSocketAddress("127.0.0.30", 0))) {
            daemon.setSoTimeout(5000);
            NgAddress at = new NgAddress("127.0.0.30", daemon.getLocalPort());
            try (NgClient ng = new NgClient(vertx, List.of(at), Duration.ofMillis(200), 0, localHost)) {
                ng.request(Map.of("command", "ping"));
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                daemon.receive(p);
                return p.getAddress().getHostAddress();
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
