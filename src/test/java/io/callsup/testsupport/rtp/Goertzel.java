package io.callsup.testsupport.rtp;

/** Goertzel single-frequency detector. */
public final class Goertzel {
    private Goertzel() {
    }

    /** Estimated amplitude (same unit as the samples) of a sinusoid at {@code freq} in samples[from, from+n). */
    public static double amplitude(short[] samples, int from, int n, double freq, int sampleRate) {
        double k = 2 * Math.cos(2 * Math.PI * freq / sampleRate);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            double s0 = samples[from + i] + k * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - k * s1 * s2;
        return 2 * Math.sqrt(Math.max(power, 0)) / n;
    }
}
