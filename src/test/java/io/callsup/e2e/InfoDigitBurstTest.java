package io.callsup.e2e;

import io.callsup.media.MixerDtmfInaudibilityTest;
import io.callsup.media.RtpengineMixer;
import io.callsup.model.EndReason;
import io.callsup.model.SupervisionMode;
import io.callsup.model.TriggerSource;
import io.callsup.supervision.ModeChange;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.RtpengineResource;
import io.callsup.testsupport.Sequences;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A supervisor's phone sending SIP INFO digits as fast as the 200 OKs allow: 99 times "2" (barge)
 * and "0" (spy), then "1" (whisper). Digits are applied in the order sent; those queued behind a
 * running switch are taken together (the session goes straight to the last one's mode), so the
 * recorded history is an in-order selection of the burst that ends in whisper, and the media and the
 * database end in whisper whatever interleaving Kamailio's workers and the service's queue produce.
 */
@QuarkusTest
class InfoDigitBurstTest {

    private static final int PAIRS = 99;

    @Inject
    RtpengineMixer mixer;

    @Test
    void a199DigitInfoBurstIsAppliedInOrderAndEndsInWhisper() throws Exception {
        Pbx pbx = new Pbx(true);
        try (Pbx.JohnsCall johns = pbx.johnsCall(Duration.ofSeconds(90));
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_info_burst.xml", adam, "first", "2",
                     "second", "0", "pairs", Integer.toString(PAIRS), "last", "1", "start_ms", "1500",
                     "end_ms", "15000")) {
            Pbx.connect(adam, adamPhone);
            SupervisionSession session = Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
            int johnMark = johns.john.mark();
            int clientMark = johns.client.mark();

            // The burst starts 1.5 s after the answer; the phone hangs up 15 s after its last INFO's
            // 200, so all 199 switches must be recorded well before (not the scenario's log: SIPp
            // may only flush it at exit).
            long joined = System.nanoTime();
            List<ModeChange> history = awaitSettled(session, SupervisionMode.WHISPER, Duration.ofSeconds(14));
            System.out.println("INFO burst: 199 digits gave " + (history.size() - 1) + " switches, settled "
                    + (System.nanoTime() - joined) / 1_000_000 + " ms after the join");
            // Issue 11: INFO digits carry no media; nothing DTMF-like may reach John or the client
            // while they switch modes (same detector as MixerDtmfInaudibilityTest, which shows it
            // finds a real in-band pair).
            for (MixerDtmfInaudibilityTest.Heard h : List.of(
                    MixerDtmfInaudibilityTest.analyse(johns.john, johnMark, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ)),
                    MixerDtmfInaudibilityTest.analyse(johns.client, clientMark, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ)))) {
                System.out.println("during the INFO burst: " + h);
                assertThat(h.nonAudio()).as("telephone-event (non-audio) packets: " + h).isZero();
                assertThat(h.pairWindows()).as("DTMF pairs heard during the INFO burst: " + h).isZero();
                assertThat(h.audio()).as("audio during the burst: " + h).isGreaterThan(100);
            }
            // rtpengine 26.0.1.26 aborted in the middle of an unthrottled burst ("mix_buffer.c:83:
            // fill_up_to: Assertion `up_to <= mb->size' failed"); every call on it lost its media.
            assertThat(RtpengineResource.running() && mixer.alive(mixer.daemons().get(0)))
                    .as("rtpengine survived the burst of " + (history.size() - 1) + " switches (its log: "
                            + "target/rtpengine-quarkus/rtpengine.log)").isTrue();

            List<SupervisionMode> perDigit = new ArrayList<>();
            for (int i = 0; i < PAIRS; i++) {
                perDigit.add(SupervisionMode.BARGE);
                perDigit.add(SupervisionMode.SPY);
            }
            perDigit.add(SupervisionMode.WHISPER);
            List<SupervisionMode> applied = history.stream().map(c -> c.toMode).toList();
            assertThat(applied.get(0)).isEqualTo(SupervisionMode.SPY);
            assertThat(Sequences.isInOrderSubsequence(applied.subList(1, applied.size()), perDigit))
                    .as("mode history %s: an in-order selection of the burst ending with its last digit", applied)
                    .isTrue();
            assertThat(history).extracting(c -> c.trigger).first().isEqualTo(TriggerSource.CODE);
            assertThat(history.subList(1, history.size())).extracting(c -> c.trigger).containsOnly(TriggerSource.SIP_INFO);
            assertThat(Pbx.sessionOf(pbx.adam).orElseThrow().mode).as("mode in the DB after the burst")
                    .isEqualTo(SupervisionMode.WHISPER);

            // The media follows the last digit: whisper.
            Thread.sleep(400);
            expectRow("after the burst: whisper", row(johns.john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ),
                    johns.client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

            assertThat(adamPhone.awaitExit(Duration.ofSeconds(30))).as(adamPhone.trace()).isZero();
            assertThat(adamPhone.log()).as("the scenario sent the whole burst").contains("BURST SENT");
            SupervisionSession ended = Pbx.awaitEnded(pbx.adam);
            assertThat(ended.id).isEqualTo(session.id);
            assertThat(ended.endReason).isEqualTo(EndReason.SUPERVISOR_HUNG_UP);
            assertThat(ended.mode).as("mode in the DB at the end").isEqualTo(SupervisionMode.WHISPER);
            List<String> audit = Pbx.auditOf(session.id);
            assertThat(audit).as("audit: started, one event per recorded switch, ended").hasSize(history.size() + 1);
            assertThat(audit.get(0)).isEqualTo("started");
            assertThat(audit.subList(1, audit.size() - 1)).containsOnly("mode_changed");
            assertThat(audit.get(audit.size() - 1)).isEqualTo("ended supervisor-hung-up");
        }
    }

    /**
     * A daemon that died in this test is started again (same ports), and Kamailio, which disables an
     * rtpengine that timed out for 60 s, is told it is back, so the next test classes have media.
     */
    @AfterEach
    void recoverRtpengine() throws Exception {
        if (!RtpengineResource.ensureRunning()) {
            return;
        }
        var config = ConfigProvider.getConfig();
        HttpRequest enable = HttpRequest.newBuilder(URI.create(config.getValue("callsup.kamailio.rpc-url", String.class)))
                .header("Content-Type", "application/json")
                .header("X-Callsup-Secret", config.getValue("callsup.kamailio.rpc-secret", String.class))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"rtpengine.enable\",\"params\":[\"all\",1],\"id\":1}"))
                .build();
        HttpResponse<String> reply = HttpClient.newHttpClient().send(enable, HttpResponse.BodyHandlers.ofString());
        System.out.println("rtpengine restarted after the burst; Kamailio rtpengine.enable: " + reply.body());
    }

    /** The session's history once it has been in {@code mode} for a second without change (or after {@code max}). */
    private static List<ModeChange> awaitSettled(SupervisionSession s, SupervisionMode mode, Duration max)
            throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        List<ModeChange> history = Pbx.history(s);
        int stableFor = 0;
        while (System.nanoTime() < deadline && stableFor < 10) {
            Thread.sleep(100);
            List<ModeChange> now = Pbx.history(s);
            boolean settled = now.size() == history.size() && now.get(now.size() - 1).toMode == mode;
            stableFor = settled ? stableFor + 1 : 0;
            history = now;
        }
        return history;
    }
}
