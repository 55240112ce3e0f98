package io.callsup.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
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
        DtmfListener l = new DtmfListener(vertx, "127.0.0.1", port, got::add);
        try (DatagramSocket out = new DatagramSocket()) {
            l.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            for (String d : new String[] {"\u0000\u00ff garbage", "{\"callid\":", "{}",
                    "{\"callid\":\"c9\",\"source_tag\":\"t\",\"type\":\"DTMF\",\"event\":9,\"duration\":100}"}) {
                byte[] b = d.getBytes(StandardCharsets.ISO_8859_1);
                out.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
            }
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(new DtmfEvent("c9", "t", '9', 100));
            assertThat(got).isEmpty();
        } finally {
            l.close();
            vertx.close();
        }
    }
}
