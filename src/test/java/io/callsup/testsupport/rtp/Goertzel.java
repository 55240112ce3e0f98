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

    /**
     * As {@link #amplitude} with a Hann window: far less leakage from strong tones a few bins away
     * (e.g. 1700 Hz next to 1477 Hz in a 20 ms window), at the cost of a wider main lobe.
     */
    public static double amplitudeHann(short[] samples, int from, int n, double freq, int sampleRate) {
        double k = 2 * Math.cos(2 * Math.PI * freq / sampleRate);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            double w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
            double s0 = w * samples[from + i] + k * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - k * s1 * s2;
        return 2 * Math.sqrt(Math.max(power, 0)) / (n * 0.5);
    }
}
