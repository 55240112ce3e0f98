package io.callsup.testsupport.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The test phones' tones stay clean where their loop wraps, through the real decoders (ffmpeg's
 * G.722 and libopus): a phone's tone is the reference every codec-matrix cell measures against.
 * Before {@link ToneLoop}, a G.722 stream's wrap (every 30 s) decoded as 60-80 ms at -5 dBFS.
 * Tones of 710 Hz (the codec matrix's) complete whole cycles only in 100 ms, so the loop's length
 * matters too.
 */
class ToneLoopTest {
    /** 100 ms blocks around the wrap: the tone at least this far above the rest in every one. */
    private static final double MIN_SNR_DB = 24;

    @Test
    void g722ToneHasNoBurstWhereItLoops() {
        for (double hz : new double[] {700, 710}) {
            ToneLoop loop = ToneLoop.ofG722(G722.tone(hz, RtpEndpoint.AMPLITUDE, 3));
            List<RtpEndpoint.Rx> rx = play(loop, loop.firstPass() + 2 * loop.loopLength(), G722.PT);
            short[] pcm = G722.decode(rx);
            assertCleanAroundWraps(pcm, G722.SAMPLE_RATE, hz, loop);
        }
    }

    @Test
    void opusToneHasNoBurstWhereItLoops() {
        double hz = 710;
        ToneLoop loop = new ToneLoop(Opus.tone(hz, RtpEndpoint.AMPLITUDE, 3));
        List<RtpEndpoint.Rx> rx = play(loop, loop.firstPass() + 2 * loop.loopLength(), 96);
        short[] pcm = Opus.decode(rx, 96);
        assertCleanAroundWraps(pcm, Opus.RATE, hz, loop);
    }

    private static List<RtpEndpoint.Rx> play(ToneLoop loop, int packets, int pt) {
        List<RtpEndpoint.Rx> rx = new ArrayList<>();
        for (int i = 0; i < packets; i++) {
            rx.add(new RtpEndpoint.Rx(0, pt, 1, false, loop.next()));
        }
        return rx;
    }

    /** Every 100 ms block from 1 s in (the cold encoder's start excepted) to the end. */
    private static void assertCleanAroundWraps(short[] pcm, int rate, double hz, ToneLoop loop) {
        int block = rate / 10;
        double worst = Double.MAX_VALUE;
        for (int o = rate; o + block <= pcm.length; o += block) {
            AudioQuality q = AudioQuality.measure(java.util.Arrays.copyOfRange(pcm, o, o + block), rate, 0, hz);
            worst = Math.min(worst, q.snr(hz));
            assertThat(q.snr(hz)).as("%s Hz, block at %.1f s (wraps after %d packets, then every %d): %s", hz,
                    (double) o / rate, loop.firstPass(), loop.loopLength(), q).isGreaterThan(MIN_SNR_DB);
            assertThat(q.toneDb().get(hz)).as("level at %.1f s: %s", (double) o / rate, q).isBetween(-16.0, -13.5);
        }
        System.out.printf("tone loop %s Hz at %d Hz: worst 100 ms block %.1f dB above the rest%n", hz, rate, worst);
    }
}
