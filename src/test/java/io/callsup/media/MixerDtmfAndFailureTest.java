package io.callsup.media;

import static io.callsup.model.SupervisionMode.BARGE;
import static io.callsup.model.SupervisionMode.SPY;
import static io.callsup.model.SupervisionMode.WHISPER;
import static io.callsup.testsupport.rtp.TestCall.AGENT_HZ;
import static io.callsup.testsupport.rtp.TestCall.CLIENT_HZ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.callsup.model.SupervisionMode;
import io.callsup.supervision.port.MediaMixer.MediaFailure;
import io.callsup.supervision.port.MediaMixer.MediaRef;
import io.callsup.testsupport.rtp.Capture;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.RtpengineDaemon;
import io.callsup.testsupport.rtp.Sdp;
import io.callsup.testsupport.rtp.TestCall;
import io.vertx.core.Future;

/** {@link RtpengineMixer} against the real daemon: DTMF detection and attribution, failures, rollback, restarts. */
class MixerDtmfAndFailureTest extends MediaTestBase {
    /** Row and column frequencies of the digits used. */
    static final Map<Character, double[]> DTMF_HZ = Map.of('5', new double[] {770, 1336}, '9',
            new double[] {852, 1477}, '0', new double[] {941, 1336}, '#', new double[] {941, 1477});

    /** An ng client that records every command and fails the first one {@code fault} matches (then behaves). */
    static final class FaultyNg extends NgClient {
        final List<Map<String, Object>> sent = new CopyOnWriteArrayList<>();
        volatile Predicate<Map<String, Object>> fault = m -> false;

        FaultyNg() {
            super(vertx, List.of(daemon), Duration.ofMillis(500), 2);
        }

        @Override
        public Future<Map<String, Object>> request(NgAddress d, Map<String, Object> command, Duration timeout,
                int retries) {
            sent.add(command);
            if (fault.test(command)) {
                fault = m -> false;
                return Future.failedFuture(new RtpengineTimeoutException(d.toString(), (String) command.get("command"),
                        3, Duration.ofMillis(500)));
            }
            return super.request(d, command, timeout, retries);
        }

        void failNext(String command, String key, Object value) {
            fault = m -> command.equals(m.get("command")) && (key == null || value.equals(m.get(key)));
        }
    }

    @Test
    void supervisorDigitsLoggedInEveryModeAndNothingLeaksInSpy() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s = dialIn(c, SUP1_HZ, "PCMU", SPY)) {
            char[] keys = {'5', '9', '0', '#'};
            SupervisionMode[] modes = {SPY, WHISPER, BARGE, SPY};
            SupervisionMode from = SPY;
            for (int i = 0; i < modes.length; i++) {
                mixer.switchMode(s.ref(), from, modes[i], false);
                from = modes[i];
                s.ep().capture(SKIP, 1); // let the mode settle
                digits.clear();
                char k = keys[i];
                int ma = c.agent.mark();
                int mc = c.client.mark();
                s.ep().sendDigit(k, 200);
                DtmfEvent e = digitFrom(s.tag());
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
                awaitDigitSent(s.ep());
            }
            mixer.remove(s.ref());
        }
    }

    /** Every digit is reported with the call and the tag of whoever pressed it, supervisors included. */
    @Test
    void digitsAreAttributedToWhoPressedThem() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s1 = dialIn(c, SUP1_HZ, "PCMU", SPY);
                Phone s2 = originate(c, SUP2_HZ, "PCMA", WHISPER)) {
            Object[][] presses = {{s1.ep(), s1.tag(), '4'}, {s2.ep(), s2.tag(), '7'}, {c.agent, c.agentTag, '2'},
                {c.client, c.clientTag, '*'}, {s2.ep(), s2.tag(), '1'}, {s1.ep(), s1.tag(), '8'}};
            for (Object[] p : presses) {
                RtpEndpoint ep = (RtpEndpoint) p[0];
                digits.clear();
                ep.sendDigit((char) p[2], 200);
                awaitDigitSent(ep);
                DtmfEvent e = digits.poll(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                assertThat(e).as("digit %s from %s", p[2], ep).isNotNull();
                assertThat(e.callId()).isEqualTo(c.callId);
                assertThat(e.sourceTag()).as("source of digit %s pressed by %s", p[2], ep).isEqualTo(p[1]);
                assertThat(e.digit()).isEqualTo((char) p[2]);
                Thread.sleep(100);
                assertThat(digits).as("one event per press").isEmpty();
            }
            mixer.remove(s1.ref());
            mixer.remove(s2.ref());
        }
    }

    /** A prepare that fails after rtpengine made the party releases the slot; the next join reuses it. */
    @Test
    void failedPrepareReleasesTheSlotAndTheCallKeepsItsAudio() throws Exception {
        try (FaultyNg faulty = new FaultyNg(); TestCall c = new TestCall(ng, daemon, "PCMU");
                RtpEndpoint sup = new RtpEndpoint("sup", SUP1_HZ)) {
            RtpengineMixer m = mixer(faulty, DELAY);
            // The last step of prepareDialIn: the set-label that marks the slot as a supervisor.
            faulty.failNext("block DTMF", "set-label", MixerSteps.SUPERVISOR_LABEL);
            String tag = newTag("sup");
            MediaFailure f = catchThrowableOfType(MediaFailure.class,
                    () -> m.prepareDialIn(ref(c, tag), Sdp.make(sup.port(), null, "PCMU", "telephone-event")));
            assertThat(f).hasMessageContaining("slot released").hasRootCauseInstanceOf(
                    RtpengineTimeoutException.class);
            assertThat(f.unknownCall()).isFalse();
            CallView v = view(c.callId);
            assertThat(RtpengineMixer.idle(v, tag, MixerSteps.placeholderTag(tag))).as("slot idle").isTrue();
            assertThat(v.supervisors(c.agentTag, c.clientTag)).isEmpty();
            assertThat(mixer.inspect(daemon.toString(), c.callId).orElseThrow().supervisorTags()).isEmpty();
            expectRow("after the failed prepare", c);
            try (Phone s = dialIn(c, SUP2_HZ, "PCMU", BARGE)) {
                assertThat(s.tag()).as("the released slot is reused").isEqualTo(tag);
                expectRow("next join, barge", c, s, BARGE);
                mixer.remove(s.ref());
                expectRow("next join removed", c, s, null);
            }
        }
    }

    /**
     * activate and switchMode have no undo of their own: a failure midway leaves a state the daemon
     * shows, a retry completes it (every method is idempotent), and remove (what the core does when
     * the session fails) restores the plain call.
     */
    @Test
    void failedActivateOrSwitchIsCompletedByARetryAndUndoneByRemove() throws Exception {
        try (FaultyNg faulty = new FaultyNg(); TestCall c = new TestCall(ng, daemon, "PCMU");
                Phone s = dialIn(c, SUP1_HZ, "PCMU")) {
            RtpengineMixer m = mixer(faulty, Duration.ZERO);
            faulty.failNext("unblock media", null, null); // whisper: after the legs were armed
            assertThatThrownBy(() -> m.activate(s.ref(), WHISPER)).isInstanceOf(MediaFailure.class)
                    .hasRootCauseInstanceOf(RtpengineTimeoutException.class);
            assertThat(view(c.callId).armed(c.agentTag, c.clientTag)).as("the failure came after arming").isTrue();
            m.activate(s.ref(), WHISPER);
            expectRow("whisper after the retried activate", c, s, WHISPER);

            faulty.failNext("inject start", "to-tag", c.clientTag); // spy -> barge: after unblock media
            m.switchMode(s.ref(), WHISPER, SPY, false);
            assertThatThrownBy(() -> m.switchMode(s.ref(), SPY, BARGE, false)).isInstanceOf(MediaFailure.class);
            expectRow("half-done spy -> barge is whisper", c, s, WHISPER);
            m.switchMode(s.ref(), SPY, BARGE, false);
            expectRow("barge after the retried switch", c, s, BARGE);

            faulty.failNext("inject stop", "to-tag", c.agentTag); // remove: after S stopped reaching C
            assertThatThrownBy(() -> m.remove(s.ref())).isInstanceOf(MediaFailure.class);
            m.remove(s.ref());
            expectRow("removed after the retried remove", c, s, null);
            CallView v = view(c.callId);
            assertThat(v.armed(c.agentTag, c.clientTag)).as("disarmed").isFalse();
            assertThat(v.supervisors(c.agentTag, c.clientTag)).isEmpty();
        }
    }

    /** Unknown tags are refused after a query; no command but the query is sent (unknown tags wedge rtpengine). */
    @Test
    void refusesUnknownTagsWithoutSendingThem() throws Exception {
        try (FaultyNg rec = new FaultyNg(); TestCall c = new TestCall(ng, daemon, "PCMU")) {
            RtpengineMixer m = mixer(rec, DELAY);
            MediaRef noAgent = new MediaRef(c.callId, null, "no-such-agent", c.clientTag, newTag("sup"));
            assertThatThrownBy(() -> m.prepareDialIn(noAgent, Sdp.make(9, null, "PCMU")))
                    .isInstanceOf(MediaFailure.class).hasMessageContaining("no-such-agent");
            assertThatThrownBy(() -> m.prepareOrigination(noAgent)).isInstanceOf(MediaFailure.class);
            MediaRef never = ref(c, "never-joined");
            for (SupervisionMode to : SupervisionMode.values()) {
                assertThatThrownBy(() -> m.switchMode(never, SPY, to, true)).isInstanceOf(MediaFailure.class)
                        .hasMessageContaining("not prepared");
            }
            assertThatThrownBy(() -> m.activate(never, BARGE)).isInstanceOf(MediaFailure.class);
            assertThatThrownBy(() -> m.completeOrigination(never, Sdp.make(9, null, "PCMU")))
                    .isInstanceOf(MediaFailure.class);
            m.remove(never); // not there: nothing to do
            assertThat(rec.sent).extracting(x -> x.get("command")).containsOnly("query");
            MediaFailure f = catchThrowableOfType(MediaFailure.class,
                    () -> m.prepareOrigination(new MediaRef("no-such-call", null, "a", "b", "s")));
            assertThat(f.unknownCall()).as(f.getMessage()).isTrue();
            expectRow("untouched", c);
            assertThat(view(c.callId).tags()).containsExactlyInAnyOrder(c.agentTag, c.clientTag);
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
        MediaRef old;
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s = dialIn(c, SUP1_HZ, "PCMU", WHISPER)) {
            old = s.ref();
            RtpengineDaemon.run("stop");
            try {
                for (Runnable op : List.<Runnable>of(() -> mixer.switchMode(s.ref(), WHISPER, BARGE, false),
                        () -> mixer.remove(s.ref()), () -> mixer.prepareOrigination(ref(c, newTag("sup"))),
                        () -> mixer.inspect(daemon.toString(), c.callId))) {
                    long t0 = System.nanoTime();
                    MediaFailure f = catchThrowableOfType(MediaFailure.class, op::run);
                    assertThat(f).as("fails with MediaFailure").isNotNull().hasMessageContaining("did not answer");
                    assertThat(f.unknownCall()).isFalse();
                    assertThat((System.nanoTime() - t0) / 1_000_000).as("within the command deadline")
                            .isLessThan(2_500);
                }
                assertThat(mixer.alive(daemon.toString())).isFalse();
                assertThat(ng.inFlight()).as("nothing pending in the client").isZero();
            } finally {
                RtpengineDaemon.run("start");
            }
        }
        // The restarted daemon knows nothing: the old session is gone, which is not an error for remove.
        assertThat(mixer.alive(daemon.toString())).isTrue();
        assertThat(mixer.inspect(daemon.toString(), old.callId())).isEmpty();
        MediaFailure f = catchThrowableOfType(MediaFailure.class, () -> mixer.activate(old, SPY));
        assertThat(f.unknownCall()).as(f.getMessage()).isTrue();
        mixer.remove(old);
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s = originate(c, SUP1_HZ, "PCMU", BARGE)) {
            expectRow("new session after restart", c, s, BARGE);
            mixer.remove(s.ref());
            mixer.callEnded(c.callId);
            assertThat(mixer.inspect(daemon.toString(), c.callId)).isEmpty();
        }
    }
}
