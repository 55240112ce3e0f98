package io.callsup.media;

import static io.callsup.model.SupervisionMode.BARGE;
import static io.callsup.model.SupervisionMode.SPY;
import static io.callsup.model.SupervisionMode.WHISPER;

import org.junit.jupiter.api.Test;

import io.callsup.model.SupervisionMode;
import io.callsup.testsupport.rtp.TestCall;

/**
 * Supervision where G.722 is involved, through {@link RtpengineMixer} and the real daemon: who hears
 * whom and how clean (every heard tone 30 dB above the rest, decoded with ffmpeg's G.722 decoder).
 * Before the audio-player fix (rtpengine/README.md, "G.722 and the audio player") a G.722 party
 * heard only noise from the join on, and a G.722 supervisor heard noise over the parties. The
 * supervisor dials in with G.722 only, so the answer cannot pick anything else.
 */
class MixerG722Test extends MediaTestBase {
    private static final double MIN_SNR_DB = 30;

    @Test
    void g722CallSupervisedInEveryModeByAPcmuSupervisor() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "G722", "G722"); Phone s = dialIn(c, SUP1_HZ, "PCMU")) {
            walkModes(c, s);
        }
    }

    @Test
    void g722SupervisorOnAPcmuCall() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s = dialIn(c, SUP1_HZ, "G722")) {
            walkModes(c, s);
        }
    }

    @Test
    void g722SupervisorOnAG722Call() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "G722", "G722"); Phone s = dialIn(c, SUP1_HZ, "G722")) {
            walkModes(c, s);
        }
    }

    /** Application path: rtpengine offers G.722 first; a G.722 phone takes it and hears everyone clean. */
    @Test
    void originatedSupervisorTakesG722() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "G722", "G722"); Phone s = originate(c, SUP1_HZ, "G722")) {
            org.assertj.core.api.Assertions.assertThat(io.callsup.testsupport.rtp.Sdp.parse(s.sdp()).payloadTypes())
                    .as("offer to the phone: G.722 first").startsWith(9);
            walkModes(c, s);
        }
    }

    private static void walkModes(TestCall c, Phone s) throws Exception {
        expectCleanRow("before joining", MIN_SNR_DB, c, s, null);
        mixer.activate(s.ref(), SPY);
        expectCleanRow("spy", MIN_SNR_DB, c, s, SPY);
        SupervisionMode from = SPY;
        for (SupervisionMode to : new SupervisionMode[] {WHISPER, BARGE}) {
            mixer.switchMode(s.ref(), from, to, false);
            expectCleanRow(to.toString().toLowerCase(java.util.Locale.ROOT), MIN_SNR_DB, c, s, to);
            from = to;
        }
        mixer.remove(s.ref());
        expectCleanRow("after leaving", MIN_SNR_DB, c, s, null);
    }
}
