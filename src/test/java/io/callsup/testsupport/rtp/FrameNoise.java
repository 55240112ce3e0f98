package io.callsup.testsupport.rtp;

import java.util.ArrayList;
import java.util.List;

/**
 * Noise per 20 ms frame of a received stream of steady tones: each tone used here completes whole
 * cycles in 20 ms, so projecting a frame on each tone's sine and cosine removes it exactly and what
 * is left is the frame's noise. A discontinuity (a gap of silence, a repeated or lost frame, a
 * decoder upset) shows up in the frame it sits in, which a 100 ms median ({@link AudioQuality}) hides.
 */
public final class FrameNoise {
    private static final double FULL_SCALE_POWER = 32768.0 * 32768.0 / 2;

    private FrameNoise() {
    }

    /** One frame: its index in the audio, the tones' amplitudes and the residual in dBFS. */
    public record Frame(int index, double[] amplitudes, double residualDb) {
    }

    /** Cuts {@code audio} at {@code rate} into 20 ms frames and measures each. */
    public static List<Frame> frames(short[] audio, int rate, double... tones) {
        int n = rate / 50;
        List<Frame> out = new ArrayList<>();
        for (int k = 0; (k + 1) * n <= audio.length; k++) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = audio[k * n + i];
            }
            double[] amps = new double[tones.length];
            for (int t = 0; t < tones.length; t++) {
                double a = 0;
                double b = 0;
                for (int i = 0; i < n; i++) {
                    double w = 2 * Math.PI * tones[t] * i / rate;
                    a += x[i] * Math.cos(w);
                    b += x[i] * Math.sin(w);
                }
                a = 2 * a / n;
                b = 2 * b / n;
                amps[t] = Math.hypot(a, b);
                for (int i = 0; i < n; i++) {
                    double w = 2 * Math.PI * tones[t] * i / rate;
                    x[i] -= a * Math.cos(w) + b * Math.sin(w);
                }
            }
            double p = 0;
            for (int i = 0; i < n; i++) {
                p += x[i] * x[i];
            }
            p /= n;
            out.add(new Frame(k, amps, 10 * Math.log10(Math.max(p, 1e-3) / FULL_SCALE_POWER)));
        }
        return out;
    }
}
