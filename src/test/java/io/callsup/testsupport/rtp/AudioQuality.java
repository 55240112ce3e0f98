package io.callsup.testsupport.rtp;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How clean decoded audio is: the level of each expected tone and of everything else ("noise":
 * the signal's power minus the expected tones' power), in dBFS, as medians over 100 ms blocks.
 * Blocks of 100 ms put every multiple of 10 Hz on an exact Goertzel bin, so a tone's power does
 * not leak into the noise estimate.
 */
public record AudioQuality(Map<Double, Double> toneDb, double noiseDb, int blocks) {
    private static final double FULL_SCALE_POWER = 32768.0 * 32768.0 / 2; // a full-scale sine

    /** Measures {@code samples} at {@code rate}, skipping the first {@code skipMs} (decoder start-up). */
    public static AudioQuality measure(short[] samples, int rate, int skipMs, double... tones) {
        int block = rate / 10;
        int from = rate * skipMs / 1000;
        int blocks = Math.max(0, (samples.length - from) / block);
        double[][] tonePower = new double[tones.length][blocks];
        double[] noise = new double[blocks];
        for (int b = 0; b < blocks; b++) {
            int o = from + b * block;
            double total = 0;
            for (int i = 0; i < block; i++) {
                total += (double) samples[o + i] * samples[o + i];
            }
            total /= block;
            double rest = total;
            for (int t = 0; t < tones.length; t++) {
                double a = Goertzel.amplitude(samples, o, block, tones[t], rate);
                tonePower[t][b] = a * a / 2;
                rest -= tonePower[t][b];
            }
            noise[b] = Math.max(rest, 1e-3);
        }
        Map<Double, Double> db = new LinkedHashMap<>();
        for (int t = 0; t < tones.length; t++) {
            db.put(tones[t], dbfs(median(tonePower[t])));
        }
        return new AudioQuality(db, dbfs(median(noise)), blocks);
    }

    /** The tone's level above the noise, in dB. */
    public double snr(double hz) {
        return toneDb.get(hz) - noiseDb;
    }

    private static double median(double[] v) {
        if (v.length == 0) {
            return 1e-3;
        }
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static double dbfs(double power) {
        return 10 * Math.log10(Math.max(power, 1e-3) / FULL_SCALE_POWER);
    }

    @Override
    public String toString() {
        return toneDb.entrySet().stream()
                .map(e -> String.format("%.0f Hz %.1f dBFS", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", ")) + String.format(", noise %.1f dBFS (%d blocks)", noiseDb, blocks);
    }
}
