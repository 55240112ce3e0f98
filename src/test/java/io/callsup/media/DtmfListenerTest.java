package io.callsup.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;

class DtmfListenerTest {

    @Test
    void parsesRtpengineDatagrams() {
        assertThat(DtmfListener.parse("{\"callid\":\"c1\",\"source_tag\":\"sup\",\"source_label\":\"\",\"tags\":[\"a\"],"
                + "\"type\":\"DTMF\",\"timestamp\":1795474176,\"source_ip\":\"127.0.0.1\",\"event\":1,\"duration\":200,"
                + "\"volume\":10}")).isEqualTo(new DtmfEvent("c1", "sup", '1', 200));
        assertThat(DtmfListener.parse("{\"callid\":\"c\",\"source_tag\":\"s\",\"event\":10,\"duration\":40}").digit())
                .isEqualTo('*');
        assertThat(DtmfListener.parse("{\"callid\":\"c\",\"source_tag\":\"s\",\"event\":11,\"duration\":40}").digit())
                .isEqualTo('#');
    }

    @Test
    void dropsMalformedDatagrams() {
        for (String bad : new String[] {"", "not json", "[]", "{}", "{\"callid\":\"c\",\"source_tag\":\"s\",\"event\":12,"
                + "\"duration\":1}", "{\"callid\":\"c\",\"source_tag\":\"s\",\"event\":-1,\"duration\":1}",
                "{\"callid\":\"c\",\"source_tag\":\"s\",\"event\":\"1\",\"duration\":1}",
                "{\"callid\":\"c\",\"source_tag\":\"s\",\"event\":1.5,\"duration\":1}",
                "{\"callid\":\"\",\"source_tag\":\"s\",\"event\":1,\"duration\":1}",
                "{\"callid\":\"c\",\"event\":1,\"duration\":1}",
                "{\"callid\":\"c\",\"source_tag\":\"s\",\"event\":1,\"duration\":-5}",
                "{\"callid\":\"c\",\"source_tag\":\"s\",\"type\":\"other\",\"event\":1,\"duration\":5}",
                "{\"callid\":1,\"source_tag\":\"s\",\"event\":1,\"duration\":1}"}) {
            assertThat(DtmfListener.parse(bad)).as(bad).isNull();
        }
    }

    @Test
    void survivesGarbageAndKeepsDelivering() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // a free number; UDP on it is almost surely free too
        }
        Vertx vertx = Vertx.vertx();
        LinkedBlockingQueue<DtmfEvent> got = new LinkedBlockingQueue<>();
        List<String> drops = new CopyOnWriteArrayList<>();
        DtmfListener l = new DtmfListener(vertx, "127.0.0.1", port, DtmfSources.of(List.of("127.0.0.1")),
                (reason, sender) -> drops.add(reason), got::add);
        try (DatagramSocket out = new DatagramSocket()) {
            l.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            for (String d : new String[] {"\u0000\u00ff garbage", "{\"callid\":", "{}",
                    "{\"callid\":\"c9\",\"source_tag\":\"t\",\"type\":\"DTMF\",\"event\":9,\"duration\":100}"}) {
                byte[] b = d.getBytes(StandardCharsets.ISO_8859_1);
                out.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
            }
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(new DtmfEvent("c9", "t", '9', 100));
            assertThat(got).isEmpty();
            assertThat(drops).as("the three bad datagrams are counted").containsExactly("malformed", "malformed",
                    "malformed");
        } finally {
            l.close();
            vertx.close();
        }
    }

    /**
     * A datagram from any other address than rtpengine's is dropped before it is parsed, however
     * right its content; the same datagram from rtpengine's address is delivered.
     */
    @Test
    void believesOnlyTheAllowedSenders() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Vertx vertx = Vertx.vertx();
        LinkedBlockingQueue<DtmfEvent> got = new LinkedBlockingQueue<>();
        List<String> drops = new CopyOnWriteArrayList<>();
        DtmfListener l = new DtmfListener(vertx, "127.0.0.1", port, DtmfSources.of(List.of("127.0.0.1")),
                (reason, sender) -> drops.add(reason + " " + sender), got::add);
        byte[] digit = "{\"callid\":\"c1\",\"source_tag\":\"sup-abcdefghijklmnopqrstuvwxyz\",\"type\":\"DTMF\",\"event\":3,\"duration\":100}"
                .getBytes(StandardCharsets.UTF_8);
        InetAddress to = InetAddress.getByName("127.0.0.1");
        try (DatagramSocket forger = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
             DatagramSocket rtpengine = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            l.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            for (int i = 0; i < 20; i++) {
                forger.send(new DatagramPacket(digit, digit.length, to, port));
            }
            rtpengine.send(new DatagramPacket(digit, digit.length, to, port));
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(new DtmfEvent("c1", "sup-abcdefghijklmnopqrstuvwxyz", '3', 100));
            Thread.sleep(200);
            assertThat(got).as("nothing from the forger").isEmpty();
            assertThat(drops).hasSize(20).containsOnly("source 127.0.0.2");
        } finally {
            l.close();
            vertx.close();
        }
    }

    @Test
    void sourcesMatchAddressesAndBlocks() throws Exception {
        DtmfSources s = DtmfSources.of(List.of("10.1.2.3", "192.168.8.0/22", "fd00::/8"));
        assertThat(s.test(InetAddress.getByName("10.1.2.3"))).isTrue();
        assertThat(s.test(InetAddress.getByName("10.1.2.4"))).isFalse();
        assertThat(s.test(InetAddress.getByName("192.168.11.200"))).isTrue();
        assertThat(s.test(InetAddress.getByName("192.168.12.1"))).isFalse();
        assertThat(s.test(InetAddress.getByName("fd12::1"))).isTrue();
        assertThat(s.test(InetAddress.getByName("fe80::1"))).isFalse();
        assertThat(s.test(null)).isFalse();
        assertThat(DtmfSources.ofRtpengines(List.of("udp:127.0.0.1:22222")).test(InetAddress.getByName("127.0.0.1")))
                .isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DtmfSources.of(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DtmfSources.of(List.of("10.0.0.0/33")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
