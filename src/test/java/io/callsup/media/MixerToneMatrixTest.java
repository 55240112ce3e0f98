package io.callsup.media;

import static io.callsup.model.SupervisionMode.BARGE;
import static io.callsup.model.SupervisionMode.SPY;
import static io.callsup.model.SupervisionMode.WHISPER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.callsup.model.SupervisionMode;
import io.callsup.testsupport.rtp.TestCall;

/**
 * Tone matrices of {@link RtpengineMixer} against the real daemon (rtpengine.md, "Tone matrix" and
 * "Several supervisors on one call"): who hears whom, measured, for every switch path, a
 * transcoded supervisor, and several supervisors each in their own mode. The single-supervisor
 * dial-in path spy, whisper, barge, spy is in {@link RtpengineMixerMediaTest}.
 */
class MixerToneMatrixTest extends MediaTestBase {

    /** All six transitions in one walk: spy-whisper-barge-spy-barge-whisper-spy. */
    @Test
    void everySwitchPathOriginated() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s = originate(c, SUP1_HZ, "PCMU")) {
            expectRow("before activating", c, s, null);
            mixer.activate(s.ref(), SPY);
            expectRow("spy", c, s, SPY);
            SupervisionMode from = SPY;
            int i = 0;
            for (SupervisionMode to : List.of(WHISPER, BARGE, SPY, BARGE, WHISPER, SPY)) {
                // Half the switches as if the supervisor's own digit triggered them (delayed when audible).
                boolean afterOwnDigit = i++ % 2 == 1;
                mixer.switchMode(s.ref(), from, to, afterOwnDigit);
                expectRow(from + " -> " + to + (afterOwnDigit ? " (own digit)" : ""), c, s, to);
                from = to;
            }
            mixer.remove(s.ref());
            expectRow("after leaving", c, s, null);
            assertThat(s.ep().capture(SKIP, COUNT).audioPackets()).as("supervisor gets nothing after leaving")
                    .isZero();
            CallView v = view(c.callId);
            assertThat(v.armed(c.agentTag, c.clientTag)).as("disarmed").isFalse();
            assertThat(v.supervisors(c.agentTag, c.clientTag)).isEmpty();
        }
    }

    /** A PCMA-only phone on a PCMU call (rtpengine transcodes), dialled in. */
    @Test
    void pcmaSupervisorDialsInOnPcmuCall() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s = dialIn(c, SUP1_HZ, "PCMA", WHISPER)) {
            assertThat(s.sdp()).contains("PCMA/8000").doesNotContain("PCMU/8000");
            assertThat(hasTelephoneEvent(s.sdp())).isTrue();
            expectRow("whisper (PCMA sup)", c, s, WHISPER);
            mixer.switchMode(s.ref(), WHISPER, BARGE, false);
            expectRow("barge (PCMA sup)", c, s, BARGE);
            mixer.switchMode(s.ref(), BARGE, SPY, false);
            expectRow("spy (PCMA sup)", c, s, SPY);
            mixer.remove(s.ref());
            expectRow("after leaving", c, s, null);
        }
    }

    /** Each supervisor's mode is its own; nobody hears another supervisor's mix. */
    @Test
    void severalSupervisorsEachHoldTheirOwnMode() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s1 = dialIn(c, SUP1_HZ, "PCMU", SPY);
                Phone s2 = originate(c, SUP2_HZ, "PCMU", WHISPER)) {
            expectRow("S1 spy, S2 whisper", c, s1, SPY, s2, WHISPER);
            mixer.switchMode(s2.ref(), WHISPER, BARGE, false);
            expectRow("S1 spy, S2 barge", c, s1, SPY, s2, BARGE);
            mixer.switchMode(s1.ref(), SPY, WHISPER, true);
            expectRow("S1 whisper, S2 barge", c, s1, WHISPER, s2, BARGE);
            mixer.switchMode(s1.ref(), WHISPER, BARGE, false);
            mixer.switchMode(s2.ref(), BARGE, SPY, false);
            expectRow("S1 barge, S2 spy", c, s1, BARGE, s2, SPY);
            try (Phone s3 = dialIn(c, SUP3_HZ, "PCMA", WHISPER)) {
                expectRow("S1 barge, S2 spy, S3 whisper", c, s1, BARGE, s2, SPY, s3, WHISPER);
                mixer.remove(s1.ref());
                assertThat(view(c.callId).armed(c.agentTag, c.clientTag)).as("still armed for S2, S3").isTrue();
                mixer.switchMode(s2.ref(), SPY, WHISPER, false);
                expectRow("S1 gone, S2 whisper, S3 whisper", c, s1, null, s2, WHISPER, s3, WHISPER);
                mixer.remove(s3.ref());
            }
            expectRow("S1 and S3 gone, S2 whisper", c, s1, null, s2, WHISPER);
            mixer.remove(s2.ref());
            expectRow("all gone", c, s1, null, s2, null);
            assertThat(view(c.callId).armed(c.agentTag, c.clientTag)).as("disarmed after the last").isFalse();
            assertThat(mixer.inspect(daemon.toString(), c.callId).orElseThrow().supervisorTags()).isEmpty();
        }
    }
}
