package io.callsup.media;

import static io.callsup.model.SupervisionMode.BARGE;
import static io.callsup.model.SupervisionMode.SPY;
import static io.callsup.model.SupervisionMode.WHISPER;
import static io.callsup.testsupport.rtp.TestCall.AGENT_HZ;
import static io.callsup.testsupport.rtp.TestCall.CLIENT_HZ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.callsup.model.SupervisionMode;
import io.callsup.testsupport.rtp.Capture;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.RtpengineDaemon;
import io.callsup.testsupport.rtp.TestCall;
import io.vertx.core.Future;

class DtmfAndFailureTest extends MediaTestBase {
    /** DTMF column frequencies of the digits used: 5 -> 1336 Hz, 9 -> 1477 Hz, 0 -> 1336 Hz, # -> 1477 Hz. */
    static final Map<Character, double[]> DTMF_HZ = Map.of('5', new double[] {770, 1336}, '9',
            new double[] {852, 1477}, '0', new double[] {941, 1336}, '#', new double[] {941, 1477});

    private static DtmfEvent nextDigitFrom(String tag) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            DtmfEvent e = digits.poll(200, TimeUnit.MILLISECONDS);
            if (e != null && e.sourceTag().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    @Test
    void supervisorDigitsDetectedInEveryModeAndNothingLeaksInSpy() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Sup s = dialIn(c, SUP1_HZ, "PCMU", SPY)) {
            char[] keys = {'5', '9', '0', '#'};
            SupervisionMode[] modes = {SPY, WHISPER, BARGE, SPY};
            for (int i = 0; i < modes.length; i++) {
                switchTo(s, modes[i]);
                s.ep.capture(SKIP, 1); // let the mode settle
                digits.clear();
                char k = keys[i];
                int ma = c.agent.mark();
                int mc = c.client.mark();
                s.ep.sendDigit(k, 200);
                DtmfEvent e = nextDigitFrom(s.tag());
                assertThat(e).as("digit %s in %s reported by the DTMF log", k, modes[i]).isNotNull();
                assertThat(e.callId()).isEqualTo(c.callId);
                assertThat(e.digit()).isEqualTo(k);
                assertThat(e.durationMs()).isBetween(150, 260);
                if (modes[i] == SPY) {
                    // 30 packets from before the digit started: covers the digit and its tail
                    Capture ca = c.agent.capture(ma, 0, 30);
                    Capture cc = c.client.capture(mc, 0, 30);
                    for (Capture cap : List.of(ca, cc)) {
                        double present = cap == ca ? cap.amplitude(CLIENT_HZ) : cap.amplitude(AGENT_HZ);
                        assertThat(present).as(cap.describe()).isGreaterThan(RtpEndpoint.AMPLITUDE / 4);
                        assertThat(cap.nonAudioPackets()).as("no RFC 4733 packet forwarded: " + cap.describe())
                                .isZero();
                        assertThat(cap.peakAmplitude(SUP1_HZ)).as("supervisor tone leaked in spy").isLessThan(
                                present * 0.05);
                        for (double f : DTMF_HZ.get(k)) {
                            assertThat(cap.peakAmplitude(f)).as("DTMF %s Hz leaked in spy: %s", f, cap.describe(f))
                                    .isLessThan(present * 0.05);
                        }
                    }
                }
                while (s.ep.digitPending()) {
                    Thread.sleep(20);
                }
            }
            plan.leave(s.session).await().atMost(WAIT);
        }
    }

    @Test
    void failureMidJoinRollsBackAndCallKeepsItsAudio() throws Exception {
        AtomicBoolean armed = new AtomicBoolean();
        // Fault injection in our own client: fail the step after the legs were armed.
        NgClient faulty = new NgClient(vertx, List.of(daemon), Duration.ofMillis(500), 2) {
            @Override
            public Future<Map<String, Object>> request(NgAddress d, Map<String, Object> command) {
                if ("connect".equals(command.get("command")) && "force".equals(command.get("audio player"))) {
                    armed.set(true);
                }
                if ("block DTMF".equals(command.get("command"))) {
                    return Future.failedFuture(new RtpengineTimeoutException(d.toString(), "block DTMF", 3,
                            Duration.ofMillis(500)));
                }
                return super.request(d, command);
            }
        };
        MediaPlan p = new MediaPlan(faulty, vertx, Duration.ZERO);
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); RtpEndpoint sup = new RtpEndpoint("sup", SUP1_HZ)) {
            String tag = newTag("sup");
            assertThatThrownBy(() -> p.join(c.callId, c.agentTag, c.clientTag, tag,
                    io.callsup.testsupport.rtp.Sdp.make(sup.port(), null, "PCMU", "telephone-event"), WHISPER)
                    .await().atMost(WAIT))
                    .isInstanceOf(MediaPlanException.class)
                    .hasMessageContaining("rolled back")
                    .hasCauseInstanceOf(RtpengineTimeoutException.class)
                    .satisfies(t -> assertThat(((MediaPlanException) t).rolledBack()).isTrue());
            assertThat(armed).as("the failure came after arming").isTrue();
            CallView v = view(c.callId);
            assertThat(v.armed(c.agentTag, c.clientTag)).as("disarmed by rollback").isFalse();
            assertThat(v.supervisors(c.agentTag, c.clientTag)).isEmpty();
            expectRow("after rollback", Map.of(c.agent, hz(CLIENT_HZ), c.client, hz(AGENT_HZ)));
        } finally {
            faulty.close();
        }
    }

    @Test
    void refusesUnknownTagsWithoutSendingThem() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU")) {
            assertThatThrownBy(() -> plan.join(c.callId, "no-such-agent", c.clientTag, newTag("sup"),
                    io.callsup.testsupport.rtp.Sdp.make(9, null, "PCMU"), SPY).await().atMost(WAIT))
                    .isInstanceOf(MediaPlanException.class).hasMessageContaining("no-such-agent");
            assertThatThrownBy(() -> plan.switchMode(new MediaSession(c.callId, daemon.toString(), c.agentTag,
                    c.clientTag, "never-joined", false, SPY), BARGE).await().atMost(WAIT))
                    .isInstanceOf(MediaPlanException.class);
            assertThatThrownBy(() -> plan.prepareOffer("no-such-call", "a", "b", "s").await().atMost(WAIT))
                    .isInstanceOf(MediaPlanException.class).hasMessageContaining("not known");
            // leave of a supervisor that is not there is a no-op
            plan.leave(new MediaSession(c.callId, daemon.toString(), c.agentTag, c.clientTag, "never-joined", true,
                    SPY)).await().atMost(WAIT);
            expectRow("untouched", Map.of(c.agent, hz(CLIENT_HZ), c.client, hz(AGENT_HZ)));
        }
    }

    @Test
    void startupCheckReportsVersionOrClearFailure() {
        List<String> versions = new RtpengineCheck(ng).checkAll().await().atMost(WAIT);
        assertThat(versions).hasSize(1);
        assertThat(Integer.parseInt(versions.get(0).split("\\.")[0])).isGreaterThanOrEqualTo(26);
        try (NgClient nobody = new NgClient(vertx, List.of(NgAddress.parse("127.0.0.1:9")), Duration.ofMillis(100),
                1)) {
            assertThatThrownBy(() -> new RtpengineCheck(nobody).checkAll().await().atMost(WAIT))
                    .isInstanceOf(RtpengineUnsupportedException.class).hasMessageContaining("rtpengine >= 26");
        }
    }

    @Test
    void daemonStoppedMidSessionThenRestarted() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Sup s = dialIn(c, SUP1_HZ, "PCMU", WHISPER)) {
            RtpengineDaemon.run("stop");
            try {
                assertThatThrownBy(() -> plan.switchMode(s.session, BARGE).await().atMost(WAIT))
                        .isInstanceOf(RtpengineTimeoutException.class).hasMessageContaining("did not answer");
                assertThatThrownBy(() -> plan.leave(s.session).await().atMost(WAIT))
                        .isInstanceOf(MediaException.class).hasMessageContaining("did not answer");
                assertThatThrownBy(() -> plan.prepareOffer(c.callId, c.agentTag, c.clientTag, newTag("sup"))
                        .await().atMost(WAIT)).isInstanceOf(RtpengineTimeoutException.class);
                assertThat(ng.inFlight()).as("nothing pending in the client").isZero();
            } finally {
                RtpengineDaemon.run("start");
            }
        }
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Sup s = originate(c, SUP1_HZ, "PCMU", BARGE)) {
            expectRow("new session after restart", Map.of(c.agent, hz(CLIENT_HZ, SUP1_HZ), c.client,
                    hz(AGENT_HZ, SUP1_HZ), s.ep, hz(AGENT_HZ, CLIENT_HZ)));
            plan.leave(s.session).await().atMost(WAIT);
            plan.callEnded(c.callId).await().atMost(WAIT);
        }
    }
}
