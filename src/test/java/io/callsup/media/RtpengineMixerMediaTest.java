package io.callsup.media;

import static io.callsup.model.SupervisionMode.BARGE;
import static io.callsup.model.SupervisionMode.SPY;
import static io.callsup.model.SupervisionMode.WHISPER;
import static io.callsup.testsupport.rtp.TestCall.AGENT_HZ;
import static io.callsup.testsupport.rtp.TestCall.CLIENT_HZ;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.callsup.model.SupervisionMode;
import io.callsup.supervision.port.MediaMixer.CallMedia;
import io.callsup.supervision.port.MediaMixer.MediaRef;
import io.callsup.supervision.port.MediaMixer.Prepared;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.Sdp;
import io.callsup.testsupport.rtp.TestCall;

/**
 * {@link RtpengineMixer} against the real daemon. The placeholder party's SDP names a socket the
 * test owns, so "nothing is sent to the placeholder" is observed, not assumed.
 */
class RtpengineMixerMediaTest extends MediaTestBase {
    static RtpEndpoint placeholderSocket;
    static RtpengineMixer mixer;

    @BeforeAll
    static void setUpMixer() throws Exception {
        placeholderSocket = new RtpEndpoint("placeholder", 0); // never connected: only listens
        mixer = new RtpengineMixer(ng, Duration.ofSeconds(2), Duration.ofMillis(50),
                new NgAddress("127.0.0.1", placeholderSocket.port()), 1000);
    }

    @AfterAll
    static void closePlaceholder() {
        placeholderSocket.close();
    }

    record Phone(RtpEndpoint ep, MediaRef ref) implements AutoCloseable {
        @Override
        public void close() {
            ep.close();
        }
    }

    static MediaRef ref(TestCall c, String supTag) {
        return new MediaRef(c.callId, null, c.agentTag, c.clientTag, supTag);
    }

    static Phone dialIn(TestCall c, double hz, String codec) throws Exception {
        RtpEndpoint ep = new RtpEndpoint("sup" + (int) hz, hz);
        Prepared p = mixer.prepareDialIn(ref(c, newTag("sup")), Sdp.make(ep.port(), "0", codec, "telephone-event"));
        assertThat(MediaPlan.hasTelephoneEvent(p.sdp())).as(p.sdp()).isTrue();
        Sdp answer = Sdp.parse(p.sdp());
        ep.connect(answer, answer.pt(codec));
        return new Phone(ep, p.ref());
    }

    static Phone originate(TestCall c, double hz, String codec) throws Exception {
        RtpEndpoint ep = new RtpEndpoint("sup" + (int) hz, hz);
        Prepared p = mixer.prepareOrigination(ref(c, newTag("sup")));
        Sdp offer = Sdp.parse(p.sdp());
        assertThat(offer.pt("telephone-event")).as(p.sdp()).isPositive();
        mixer.completeOrigination(p.ref(), Sdp.answer(ep.port(), offer, codec));
        ep.connect(offer, offer.pt(codec));
        return new Phone(ep, p.ref());
    }

    static Map<RtpEndpoint, double[]> row(TestCall c, SupervisionMode mode, Phone s) {
        Map<RtpEndpoint, double[]> m = new LinkedHashMap<>();
        double sup = s.ep.toneHz();
        m.put(c.agent, mode == null || mode == SPY ? hz(CLIENT_HZ) : hz(CLIENT_HZ, sup));
        m.put(c.client, mode == BARGE ? hz(AGENT_HZ, sup) : hz(AGENT_HZ));
        m.put(s.ep, mode == null ? hz() : hz(AGENT_HZ, CLIENT_HZ));
        return m;
    }

    /** The row holds and, over the same time, the placeholder's address received no packet at all. */
    static void expectRowAndSilentPlaceholder(String state, TestCall c, SupervisionMode mode, Phone s)
            throws Exception {
        int mark = placeholderSocket.mark();
        expectRow(state, row(c, mode, s));
        assertThat(placeholderSocket.packetsSince(mark)).as(state + ": packets sent to the placeholder").isEmpty();
    }

    static DtmfEvent digitFrom(String tag) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            DtmfEvent e = digits.poll(200, TimeUnit.MILLISECONDS);
            if (e != null && e.sourceTag().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    static void pressAndExpectLogged(Phone s, char key) throws Exception {
        digits.clear();
        s.ep.sendDigit(key, 200);
        DtmfEvent e = digitFrom(s.ref.supervisorTag());
        assertThat(e).as("digit %s from %s in the DTMF log", key, s.ref.supervisorTag()).isNotNull();
        assertThat(e.digit()).isEqualTo(key);
        while (s.ep.digitPending()) {
            Thread.sleep(20);
        }
    }

    @Test
    void dialInTwoPhaseModesNoPlaceholderAudioAndDigits() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s = dialIn(c, SUP1_HZ, "PCMU")) {
            expectRowAndSilentPlaceholder("prepared (dial-in)", c, null, s);
            assertThat(s.ep.capture(0, 10).audioPackets()).as("S gets no packet before activate").isZero();
            assertThat(mixer.inspect(daemon.toString(), c.callId)).get().extracting(CallMedia::supervisorTags)
                    .isEqualTo(List.of(s.ref.supervisorTag()));
            mixer.activate(s.ref, SPY);
            expectRowAndSilentPlaceholder("spy", c, SPY, s);
            pressAndExpectLogged(s, '5');
            mixer.switchMode(s.ref, SPY, WHISPER, false);
            expectRowAndSilentPlaceholder("whisper", c, WHISPER, s);
            pressAndExpectLogged(s, '9');
            mixer.switchMode(s.ref, WHISPER, BARGE, true);
            expectRowAndSilentPlaceholder("barge", c, BARGE, s);
            pressAndExpectLogged(s, '#');
            mixer.switchMode(s.ref, BARGE, SPY, false);
            expectRowAndSilentPlaceholder("back to spy", c, SPY, s);
            mixer.remove(s.ref);
            expectRowAndSilentPlaceholder("removed", c, null, s);
            assertThat(s.ep.capture(SKIP, 10).audioPackets()).as("S gets nothing after remove").isZero();
            assertThat(mixer.inspect(daemon.toString(), c.callId).orElseThrow().supervisorTags()).isEmpty();
            assertThat(view(c.callId).armed(c.agentTag, c.clientTag)).as("legs disarmed").isFalse();
            mixer.remove(s.ref); // idempotent
            mixer.callEnded(c.callId);
            assertThat(mixer.inspect(daemon.toString(), c.callId)).isEmpty();
            mixer.callEnded(c.callId); // unknown call = done
        }
    }

    @Test
    void originationTwoPhaseAndPcmaSupervisor() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s = originate(c, SUP2_HZ, "PCMA")) {
            expectRowAndSilentPlaceholder("prepared (origination)", c, null, s);
            mixer.activate(s.ref, WHISPER);
            expectRowAndSilentPlaceholder("whisper (PCMA supervisor)", c, WHISPER, s);
            mixer.switchMode(s.ref, WHISPER, BARGE, false);
            expectRowAndSilentPlaceholder("barge (PCMA supervisor)", c, BARGE, s);
            pressAndExpectLogged(s, '0');
            mixer.remove(s.ref);
            expectRowAndSilentPlaceholder("removed", c, null, s);
        }
    }

    @Test
    void hundredJoinLeaveCyclesKeepTheCallTheSameSize() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU")) {
            int tagsBefore = view(c.callId).tags().size();
            int afterFirst = -1;
            for (int i = 1; i <= 100; i++) {
                try (Phone s = i % 10 == 5 ? originate(c, SUP1_HZ, i % 20 == 5 ? "PCMA" : "PCMU")
                        : dialIn(c, SUP1_HZ, i % 7 == 3 ? "PCMA" : "PCMU")) {
                    mixer.activate(s.ref, SupervisionMode.values()[i % 3]);
                    mixer.remove(s.ref);
                }
                int n = view(c.callId).tags().size();
                if (i == 1) {
                    afterFirst = n;
                    assertThat(n).as("one slot (supervisor + placeholder)").isEqualTo(tagsBefore + 2);
                }
                assertThat(n).as("tags after cycle %d", i).isEqualTo(afterFirst);
            }
            System.out.println("query reply after 100 cycles: " + Bencode.encode(queryRaw(c.callId)).length
                    + " bytes, " + afterFirst + " tags");
            try (Phone s = dialIn(c, SUP1_HZ, "PCMU")) {
                expectRowAndSilentPlaceholder("101st join, prepared", c, null, s);
                mixer.activate(s.ref, BARGE);
                expectRowAndSilentPlaceholder("101st join, barge", c, BARGE, s);
                mixer.remove(s.ref);
                expectRowAndSilentPlaceholder("101st join, removed", c, null, s);
            }
            assertThat(view(c.callId).tags()).hasSize(afterFirst);
        }
    }

    @Test
    void twoSupervisorsHoldTwoSlotsAndReuseThem() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU")) {
            for (int round = 0; round < 3; round++) {
                try (Phone s1 = dialIn(c, SUP1_HZ, "PCMU"); Phone s2 = originate(c, SUP2_HZ, "PCMU")) {
                    assertThat(s1.ref.supervisorTag()).isNotEqualTo(s2.ref.supervisorTag());
                    mixer.activate(s1.ref, SPY);
                    mixer.activate(s2.ref, BARGE);
                    double[] ac = hz(AGENT_HZ, CLIENT_HZ);
                    int mark = placeholderSocket.mark();
                    expectRow("round " + round + ": S1 spy, S2 barge", Map.of(c.agent, hz(CLIENT_HZ, SUP2_HZ),
                            c.client, hz(AGENT_HZ, SUP2_HZ), s1.ep, ac, s2.ep, ac));
                    assertThat(placeholderSocket.packetsSince(mark)).isEmpty();
                    assertThat(mixer.supervisedCalls(daemon.toString())).contains(c.callId);
                    mixer.remove(s1.ref);
                    assertThat(view(c.callId).armed(c.agentTag, c.clientTag)).as("still armed for S2").isTrue();
                    mixer.remove(s2.ref);
                }
                assertThat(view(c.callId).tags()).as("round %d", round).hasSize(6);
                assertThat(mixer.supervisedCalls(daemon.toString())).doesNotContain(c.callId);
            }
            expectRow("both gone", Map.of(c.agent, hz(CLIENT_HZ), c.client, hz(AGENT_HZ)));
        }
    }

    @Test
    void aliveAndDaemons() {
        assertThat(mixer.alive(daemon.toString())).isTrue();
        assertThat(mixer.alive("127.0.0.1:9")).isFalse();
        assertThat(mixer.daemons()).containsExactly(daemon.toString());
    }

    static Map<String, Object> queryRaw(String callId) throws Exception {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("command", "query");
        q.put("call-id", callId);
        return TestCall.await(ng.request(daemon, q));
    }
}
