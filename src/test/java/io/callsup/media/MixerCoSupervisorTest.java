package io.callsup.media;

import static io.callsup.model.SupervisionMode.BARGE;
import static io.callsup.model.SupervisionMode.SPY;
import static io.callsup.model.SupervisionMode.WHISPER;

import org.junit.jupiter.api.Test;

import io.callsup.testsupport.rtp.TestCall;

/**
 * Two supervisors on one G.722 call (issue 11), through {@link RtpengineMixer} and the real daemon.
 * The rule (README, "Several supervisors"): a supervisor hears whoever the agent or the client
 * hears, so a spying supervisor hears a whispering or barging co-supervisor, and nobody ever hears
 * a spying one. Every row asserts presence and absence for all four parties, each heard tone 30 dB
 * above the rest, decoded with ffmpeg's G.722 decoder.
 */
class MixerCoSupervisorTest extends MediaTestBase {
    private static final double MIN_SNR_DB = 30;
    /**
     * The second supervisor's tone. Three simultaneous full-level tones are G.722's hard case: its
     * ADPCM predictor follows two, so coding the sum is codec-limited, depending on the spread. Each
     * tone coded by its phone, summed and coded again (what any mixer does), no rtpengine, 100 ms
     * blocks (ffmpeg's G.722): 1100+1700+2300 Hz 30.1 dB, 700+1700+2900 Hz 27.2 dB, but 1100+1700+2000
     * 34.7, 700+1100+2000 33.1, 700+1700+2000 33.5. With 2000 Hz every row's codec floor is at least
     * 33 dB, so the 30 dB bar measures the mixer, not G.722 (README, "Codecs").
     */
    private static final double SUP2_G722_HZ = 2000;

    @Test
    void spyAndBargeOnAG722Call() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "G722", "G722");
                Phone spy = dialIn(c, SUP1_HZ, "G722", SPY);
                Phone barge = originate(c, SUP2_G722_HZ, "G722", SPY)) {
            expectCleanRow("both spy", MIN_SNR_DB, c, spy, SPY, barge, SPY);
            mixer.switchMode(barge.ref(), SPY, BARGE, false);
            expectCleanRow("spy + barge", MIN_SNR_DB, c, spy, SPY, barge, BARGE);
            mixer.switchMode(spy.ref(), SPY, WHISPER, false);
            expectCleanRow("whisper + barge", MIN_SNR_DB, c, spy, WHISPER, barge, BARGE);
            mixer.switchMode(spy.ref(), WHISPER, SPY, false);
            expectCleanRow("spy + barge again", MIN_SNR_DB, c, spy, SPY, barge, BARGE);
            mixer.remove(barge.ref());
            expectCleanRow("barging one left", MIN_SNR_DB, c, spy, SPY, barge, null);
            mixer.remove(spy.ref());
            expectCleanRow("both left", MIN_SNR_DB, c, spy, null, barge, null);
        }
    }

    /** A supervisor joining a call that already has a barging one hears it from its first row. */
    @Test
    void latecomerHearsTheBargingSupervisorAndLeavingStopsIt() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "G722", "G722");
                Phone barge = dialIn(c, SUP2_G722_HZ, "G722", BARGE);
                Phone late = dialIn(c, SUP1_HZ, "PCMU")) {
            expectCleanRow("second prepared, not active", MIN_SNR_DB, c, barge, BARGE, late, null);
            mixer.activate(late.ref(), SPY);
            expectCleanRow("latecomer spies", MIN_SNR_DB, c, barge, BARGE, late, SPY);
            mixer.remove(late.ref());
            expectCleanRow("latecomer left", MIN_SNR_DB, c, barge, BARGE, late, null);
            mixer.remove(barge.ref());
            expectCleanRow("both left", MIN_SNR_DB, c, barge, null, late, null);
        }
    }
}
