package io.callsup.testsupport.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The test phones' codecs without rtpengine: what the codec matrix can expect at best. Opus through
 * this repository's Ogg framing and ffmpeg's libopus must give the tone back at its level and clean.
 * G.711 sets the floor of a two-party mix: each tone coded by its phone, the two summed and coded
 * again, as any mixer must. That floor is only measurable with tones that are not sub-multiples of
 * 8 kHz (MixerCodecMatrixTest).
 */
class CodecFloorTest {
    /** Phases (radians) of the second tone against the first: packet timing sets it in a real mix. */
    private static final double[] PHASES = {0, 0.4, 0.9, 1.3, 1.8, 2.2, 2.7, 3.1, 3.6, 4.0, 4.5, 4.9, 5.4, 5.8};

    @Test
    void opusRoundTripKeepsTheToneCleanAndAtLevel() {
        List<byte[]> packets = Opus.tone(1100, RtpEndpoint.AMPLITUDE, 2);
        assertThat(packets).as("20 ms packets for 2 s").hasSizeBetween(100, 101);
        assertThat(packets).allSatisfy(p -> assertThat(Opus.samples(p)).isEqualTo(Opus.SAMPLES));
        List<RtpEndpoint.Rx> rx = new ArrayList<>();
        for (byte[] p : packets) {
            rx.add(new RtpEndpoint.Rx(0, 96, 1, false, p));
        }
        rx.add(new RtpEndpoint.Rx(0, 0, 1, false, new byte[160])); // another PT: ignored
        short[] pcm = Opus.decode(rx, 96);
        assertThat(pcm.length).as("one 960-sample frame per packet").isEqualTo(packets.size() * Opus.SAMPLES);
        AudioQuality q = AudioQuality.measure(pcm, Opus.RATE, 200, 1100);
        assertThat(q.toneDb().get(1100.0)).as(q.toString()).isBetween(-15.7, -13.7);
        assertThat(q.snr(1100)).as(q.toString()).isGreaterThan(40);
    }

    /**
     * 1100 + 1700 Hz repeat every 80 samples: the quantisation error is a fixed pattern, and its power
     * swings by about 4 dB with the tones' relative phase (28.5 dB at phase 0, 32.4 at best).
     */
    @Test
    void synchronousTonesMakeTheAlawFloorALotteryOfPhase() {
        double[] r = range(1100, 1700, true, 0);
        assertThat(r[0]).as("worst phase").isLessThan(29.0);
        assertThat(r[1] - r[0]).as("spread over phases").isGreaterThan(3.0);
    }

    /** With 1130 + 1730 Hz (the matrix's tones) the error is noise: A-law's floor, whatever the phase. */
    @Test
    void asynchronousTonesMeasureTheAlawFloorAt30To32Db() {
        double[] alaw = range(1130, 1730, true, 0);
        assertThat(alaw[0]).as("A-law, worst phase").isGreaterThan(30.2);
        assertThat(alaw[1]).as("A-law, best phase").isLessThan(32.0);
        assertThat(alaw[1] - alaw[0]).as("A-law, spread over phases").isLessThan(1.5);
        double[] ulaw = range(710, 1130, false, 0);
        assertThat(ulaw[0]).as("µ-law, worst phase").isGreaterThan(30.5);
    }

    /** The measure still sees noise that a broken mix adds: white noise at -46 dBFS takes A-law below 30 dB. */
    @Test
    void addedNoiseFailsTheBar() {
        double[] r = range(1130, 1730, true, -46);
        assertThat(r[1]).as("best phase with -46 dBFS of noise").isLessThan(30.0);
    }

    /** Worst and best margin over {@link #PHASES} of a 500 ms two-tone mix, measured as the matrix does. */
    private static double[] range(double f1, double f2, boolean alaw, double noiseDbfs) {
        double worst = Double.MAX_VALUE;
        double best = -Double.MAX_VALUE;
        java.util.Random noise = new java.util.Random(11);
        double sigma = noiseDbfs == 0 ? 0 : 32768 / Math.sqrt(2) * Math.pow(10, noiseDbfs / 20);
        for (double ph : PHASES) {
            short[] out = new short[4000];
            for (int i = 0; i < out.length; i++) {
                short x = (short) Math.round(RtpEndpoint.AMPLITUDE * Math.sin(2 * Math.PI * f1 * i / 8000.0));
                short y = (short) Math.round(RtpEndpoint.AMPLITUDE * Math.sin(2 * Math.PI * f2 * i / 8000.0 + ph));
                double mixed = code(x, alaw) + code(y, alaw) + sigma * noise.nextGaussian();
                out[i] = code((short) Math.max(-32768, Math.min(32767, Math.round(mixed))), alaw);
            }
            AudioQuality q = AudioQuality.measure(out, 8000, 0, f1, f2);
            double m = Math.min(q.snr(f1), q.snr(f2));
            worst = Math.min(worst, m);
            best = Math.max(best, m);
        }
        return new double[] {worst, best};
    }

    private static short code(short s, boolean alaw) {
        return alaw ? G711.alawDecode(G711.alaw(s)) : G711.ulawDecode(G711.ulaw(s));
    }
}
