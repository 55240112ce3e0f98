package io.callsup.testsupport.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The test phones' codecs without rtpengine: what the codec matrix can expect at best. Opus through
 * this repository's Ogg framing and ffmpeg's libopus must give the tone back at its level and clean;
 * A-law's own floor for two mixed tones is below 30 dB, which is why MixerCodecMatrixTest holds
 * PCMA receivers to a lower bar.
 */
class CodecFloorTest {

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

    @Test
    void twoMixedTonesCodedTwiceInALawAreUnder30DbClean() {
        double alaw = twoTonesCodedTwice(true);
        double ulaw = twoTonesCodedTwice(false);
        assertThat(alaw).as("A-law: phone, mix, A-law again").isBetween(27.0, 30.0);
        assertThat(ulaw).as("µ-law: the same path").isGreaterThan(32.0);
    }

    /** Worst margin of 1100 + 1700 Hz, each coded by its phone, summed and coded again (what a mixer does). */
    private static double twoTonesCodedTwice(boolean alaw) {
        short[] out = new short[8000 * 5];
        for (int i = 0; i < out.length; i++) {
            short x = (short) Math.round(RtpEndpoint.AMPLITUDE * Math.sin(2 * Math.PI * 1100 * i / 8000.0));
            short y = (short) Math.round(RtpEndpoint.AMPLITUDE * Math.sin(2 * Math.PI * 1700 * i / 8000.0));
            short sum = (short) (code(x, alaw) + code(y, alaw));
            out[i] = code(sum, alaw);
        }
        AudioQuality q = AudioQuality.measure(out, 8000, 0, 1100, 1700);
        return Math.min(q.snr(1100), q.snr(1700));
    }

    private static short code(short s, boolean alaw) {
        return alaw ? G711.alawDecode(G711.alaw(s)) : G711.ulawDecode(G711.ulaw(s));
    }
}
