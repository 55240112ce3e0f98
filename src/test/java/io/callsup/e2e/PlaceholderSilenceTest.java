package io.callsup.e2e;

import io.callsup.model.EndReason;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.UdpSink;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The supervisor's placeholder party (the far end of its offer/answer pair in rtpengine) lives at
 * {@code callsup.media.placeholder}. rtpengine must never forward the supervisor's RTP there: a
 * listener on that very address must get nothing while Adam spies, whispers and barges through the
 * full stack. (The default 127.0.0.1:9 needs root to bind; the test runs as root.)
 */
@QuarkusTest
class PlaceholderSilenceTest {

    @ConfigProperty(name = "callsup.media.placeholder", defaultValue = "127.0.0.1:9")
    String placeholder;

    @Test
    void noRtpReachesThePlaceholderInSpyWhisperOrBarge() throws Exception {
        String host = placeholder.substring(0, placeholder.lastIndexOf(':'));
        int port = Integer.parseInt(placeholder.substring(placeholder.lastIndexOf(':') + 1));
        Pbx pbx = new Pbx(true);
        try (UdpSink rtp = new UdpSink(host, port);
             UdpSink rtcp = new UdpSink(host, port + 1);
             Pbx.JohnsCall johns = pbx.johnsCall(Duration.ofSeconds(60));
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ)) {
            // The listener really receives at the placeholder's address: a probe from the test gets there.
            InetSocketAddress probeFrom = probe(host, port);
            Pbx.await("the probe datagram at " + placeholder, () -> rtp.count() > 0 ? Boolean.TRUE : null);

            try (SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_join_bye.xml", adam, "hold_ms", "11000")) {
                Pbx.connect(adam, adamPhone);
                SupervisionSession session = Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
                expectRow("spy", row(johns.john, hz(Pbx.CLIENT_HZ), johns.client, hz(Pbx.JOHN_HZ),
                        adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                assertNothingAt(rtp, probeFrom, "spy");

                adam.sendDigit('1', 200);
                Pbx.awaitMode(pbx.adam, SupervisionMode.WHISPER);
                Thread.sleep(400); // the keypress is briefly audible in the new mix
                expectRow("whisper", row(johns.john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), johns.client, hz(Pbx.JOHN_HZ),
                        adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                assertNothingAt(rtp, probeFrom, "whisper");

                adam.sendDigit('2', 200);
                Pbx.awaitMode(pbx.adam, SupervisionMode.BARGE);
                Thread.sleep(400);
                expectRow("barge", row(johns.john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ),
                        johns.client, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                assertNothingAt(rtp, probeFrom, "barge");

                assertThat(adamPhone.awaitExit(Duration.ofSeconds(30))).as(adamPhone.trace()).isZero();
                SupervisionSession ended = Pbx.awaitEnded(pbx.adam);
                assertThat(ended.id).isEqualTo(session.id);
                assertThat(ended.endReason).isEqualTo(EndReason.SUPERVISOR_HUNG_UP);
            }
            Thread.sleep(1000);
            assertNothingAt(rtp, probeFrom, "after Adam left");
            System.out.println("placeholder " + placeholder + ": RTCP port got " + rtcp.count() + " datagram(s) "
                    + rtcp.received());
        }
    }

    /** Sends one datagram to the placeholder address and returns the address it came from. */
    private static InetSocketAddress probe(String host, int port) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(host, 0))) {
            s.send(new DatagramPacket(new byte[] {1}, 1, new InetSocketAddress(host, port)));
            return (InetSocketAddress) s.getLocalSocketAddress();
        }
    }

    private void assertNothingAt(UdpSink sink, InetSocketAddress probeFrom, String when) {
        List<UdpSink.Datagram> got = sink.received().stream().filter(d -> !d.from().equals(probeFrom)).toList();
        assertThat(got).as(when + ": datagrams at the placeholder address " + placeholder
                + " (rtpengine forwarded a supervisor's RTP to its placeholder)").isEmpty();
    }
}
