package io.callsup.media;

import static io.callsup.model.SupervisionMode.BARGE;
import static io.callsup.model.SupervisionMode.SPY;
import static io.callsup.model.SupervisionMode.WHISPER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.callsup.model.SupervisionMode;
import io.callsup.supervision.port.MediaMixer.CallMedia;
import io.callsup.testsupport.rtp.TestCall;

/**
 * {@link RtpengineMixer} against the real daemon: the two-phase join, slots and their reuse. Every
 * row also checks that the placeholder's socket got nothing (see {@link MediaTestBase}).
 */
class RtpengineMixerMediaTest extends MediaTestBase {

    @Test
    void dialInTwoPhaseModesNoPlaceholderAudioAndDigits() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s = dialIn(c, SUP1_HZ, "PCMU")) {
            expectRow("prepared (dial-in)", c, s, null);
            assertThat(s.ep().capture(0, 10).audioPackets()).as("S gets no packet before activate").isZero();
            assertThat(mixer.inspect(daemon.toString(), c.callId)).get().extracting(CallMedia::supervisorTags)
                    .isEqualTo(List.of(s.tag()));
            mixer.activate(s.ref(), SPY);
            expectRow("spy", c, s, SPY);
            pressAndExpectLogged(s, '5');
            mixer.switchMode(s.ref(), SPY, WHISPER, false);
            expectRow("whisper", c, s, WHISPER);
            pressAndExpectLogged(s, '9');
            mixer.switchMode(s.ref(), WHISPER, BARGE, true);
            expectRow("barge", c, s, BARGE);
            pressAndExpectLogged(s, '#');
            mixer.switchMode(s.ref(), BARGE, SPY, false);
            expectRow("back to spy", c, s, SPY);
            mixer.remove(s.ref());
            expectRow("removed", c, s, null);
            assertThat(s.ep().capture(SKIP, 10).audioPackets()).as("S gets nothing after remove").isZero();
            assertThat(mixer.inspect(daemon.toString(), c.callId).orElseThrow().supervisorTags()).isEmpty();
            assertThat(view(c.callId).armed(c.agentTag, c.clientTag)).as("legs disarmed").isFalse();
            mixer.remove(s.ref()); // idempotent
            mixer.callEnded(c.callId);
            assertThat(mixer.inspect(daemon.toString(), c.callId)).isEmpty();
            mixer.callEnded(c.callId); // unknown call = done
        }
    }

    @Test
    void originationTwoPhaseAndPcmaSupervisor() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s = originate(c, SUP2_HZ, "PCMA")) {
            expectRow("prepared (origination)", c, s, null);
            mixer.activate(s.ref(), WHISPER);
            expectRow("whisper (PCMA supervisor)", c, s, WHISPER);
            mixer.switchMode(s.ref(), WHISPER, BARGE, false);
            expectRow("barge (PCMA supervisor)", c, s, BARGE);
            pressAndExpectLogged(s, '0');
            mixer.remove(s.ref());
            expectRow("removed", c, s, null);
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
                    mixer.activate(s.ref(), SupervisionMode.values()[i % 3]);
                    mixer.remove(s.ref());
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
                expectRow("101st join, prepared", c, s, null);
                mixer.activate(s.ref(), BARGE);
                expectRow("101st join, barge", c, s, BARGE);
                mixer.remove(s.ref());
                expectRow("101st join, removed", c, s, null);
            }
            assertThat(view(c.callId).tags()).hasSize(afterFirst);
        }
    }

    @Test
    void twoSupervisorsHoldTwoSlotsAndReuseThem() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU")) {
            for (int round = 0; round < 3; round++) {
                try (Phone s1 = dialIn(c, SUP1_HZ, "PCMU"); Phone s2 = originate(c, SUP2_HZ, "PCMU")) {
                    assertThat(s1.ref().supervisorTag()).isNotEqualTo(s2.ref().supervisorTag());
                    mixer.activate(s1.ref(), SPY);
                    mixer.activate(s2.ref(), BARGE);
                    expectRow("round " + round + ": S1 spy, S2 barge", c, s1, SPY, s2, BARGE);
                    assertThat(mixer.supervisedCalls(daemon.toString())).contains(c.callId);
                    mixer.remove(s1.ref());
                    assertThat(view(c.callId).armed(c.agentTag, c.clientTag)).as("still armed for S2").isTrue();
                    mixer.remove(s2.ref());
                }
                assertThat(view(c.callId).tags()).as("round %d", round).hasSize(6);
                assertThat(mixer.supervisedCalls(daemon.toString())).doesNotContain(c.callId);
            }
            expectRow("both gone", c);
        }
    }

    @Test
    void aliveAndDaemons() {
        assertThat(mixer.alive(daemon.toString())).isTrue();
        assertThat(mixer.alive("127.0.0.1:9")).isFalse();
        assertThat(mixer.daemons()).containsExactly(daemon.toString());
    }
}
