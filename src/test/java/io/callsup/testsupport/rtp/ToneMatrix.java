package io.callsup.testsupport.rtp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Who hears whom", measured: every endpoint is captured over the same window and its received
 * audio is checked for each tone in play.
 */
public final class ToneMatrix {

    /** Packets dropped after a change before analysing (settling), and packets analysed. */
    public static final int SKIP = 10;
    public static final int COUNT = 25;

    /** The smallest tone-above-the-rest margin (dB) the last cleanliness-checked row measured; NaN if none. */
    public static volatile double lastMinSnrDb = Double.NaN;

    private ToneMatrix() {
    }

    /** Captures all endpoints over the same window. */
    public static Map<RtpEndpoint, Capture> captureAll(List<RtpEndpoint> eps) throws InterruptedException {
        int[] marks = eps.stream().mapToInt(RtpEndpoint::mark).toArray();
        Map<RtpEndpoint, Capture> out = new LinkedHashMap<>();
        for (int i = 0; i < eps.size(); i++) {
            out.put(eps.get(i), eps.get(i).capture(marks[i], SKIP, COUNT));
        }
        return out;
    }

    /**
     * Asserts one row of the tone matrix: each endpoint hears exactly the given tones (among all
     * tones in play), as one SSRC. Present: at least a quarter of the sent amplitude. Absent: below
     * 5 % of the weakest present tone (-26 dB), or of the sent amplitude when nothing is expected.
     * Returns a one-line description per endpoint of what was heard.
     */
    public static List<String> expectRow(String state, Map<RtpEndpoint, double[]> expected) throws InterruptedException {
        return expectRow(state, expected, 0);
    }

    /**
     * As {@link #expectRow(String, Map)}, and every heard tone is at least {@code minSnrDb} above
     * everything else the endpoint hears ({@link AudioQuality}); 0 = no cleanliness check.
     */
    public static List<String> expectRow(String state, Map<RtpEndpoint, double[]> expected, double minSnrDb)
            throws InterruptedException {
        return expectRow(state, expected, ep -> minSnrDb);
    }

    /**
     * The product's contract with a sender: one packet period plus rtpengine's --audio-buffer-delay
     * (40 ms, bin/rtpengine-daemon; fx4). A source up to that late is mixed without a gap; one later
     * than that may be replaced by silence for a frame (rtpengine/README.md, "Audio player
     * underruns"), which any real phone that late would cause too.
     */
    public static final long LATE_SENDER_NANOS = 60_000_000L;
    /** Every row measured again because a test phone broke that contract (see expectRow), with the gap. */
    public static final List<String> INTERMITTENT = java.util.Collections.synchronizedList(new ArrayList<>());

    /** As above with a bar per receiving endpoint (e.g. by the codec it receives). */
    public static List<String> expectRow(String state, Map<RtpEndpoint, double[]> expected,
            java.util.function.ToDoubleFunction<RtpEndpoint> minSnrDbOf) throws InterruptedException {
        return expectRow(state, expected, minSnrDbOf, true);
    }

    /**
     * {@code remeasure}: a row whose only failure is cleanliness is measured once more on a fresh
     * window only if one of the row's own test phones broke the sender contract (silent for more than
     * {@link #LATE_SENDER_NANOS}: the test JVM stalled, not the product); the first result is printed
     * as "TEST PHONE LATE" with the gap. Unclean audio while every phone kept the contract fails at
     * once, as do a wrong who-hears-whom and a second unclean window.
     */
    private static List<String> expectRow(String state, Map<RtpEndpoint, double[]> expected,
            java.util.function.ToDoubleFunction<RtpEndpoint> minSnrDbOf, boolean remeasure) throws InterruptedException {
        List<RtpEndpoint> eps = new ArrayList<>(expected.keySet());
        double[] all = eps.stream().mapToDouble(RtpEndpoint::toneHz).toArray();
        int[] sent = eps.stream().mapToInt(ep -> Math.max(0, ep.sentCount() - COUNT)).toArray();
        Map<RtpEndpoint, Capture> caps = captureAll(eps);
        String late = lateSender(eps, sent);
        List<String> lines = new ArrayList<>();
        double minSnr = Double.NaN;
        for (RtpEndpoint ep : eps) {
            Capture c = caps.get(ep);
            double[] want = expected.get(ep);
            double minSnrDb = minSnrDbOf.applyAsDouble(ep);
            AudioQuality q = want.length > 0 && minSnrDb > 0 ? c.quality(want) : null;
            String ctx = state + " / " + c.describe(all) + (q != null ? " / " + q : "")
                    + (late != null ? " / test phone late: " + late : "");
            System.out.println(ctx);
            double weakest = RtpEndpoint.AMPLITUDE;
            for (double hz : want) {
                assertThat(c.amplitude(hz)).as(ctx + ": should hear " + hz + " Hz")
                        .isGreaterThan(RtpEndpoint.AMPLITUDE / 4);
                weakest = Math.min(weakest, c.amplitude(hz));
            }
            for (double hz : all) {
                if (Arrays.stream(want).noneMatch(w -> w == hz) && hz != ep.toneHz()) {
                    assertThat(c.amplitude(hz)).as(ctx + ": must not hear " + hz + " Hz").isLessThan(weakest * 0.05);
                }
            }
            if (q != null) {
                for (double hz : want) {
                    minSnr = Double.isNaN(minSnr) ? q.snr(hz) : Math.min(minSnr, q.snr(hz));
                }
                lastMinSnrDb = minSnr;
                double bar = minSnrDb;
                if (remeasure && late != null && Arrays.stream(want).anyMatch(hz -> q.snr(hz) < bar)) {
                    INTERMITTENT.add(ctx);
                    System.out.println("TEST PHONE LATE (below " + bar + " dB, measuring the row again): " + ctx);
                    return expectRow(state + " (re-measured)", expected, minSnrDbOf, false);
                }
                for (double hz : want) {
                    assertThat(q.snr(hz)).as(ctx + ": " + hz + " Hz clean (dB above the rest)")
                            .isGreaterThanOrEqualTo(minSnrDb);
                }
            }
            if (want.length > 0) {
                assertThat(c.ssrcs()).as(ctx + ": one (mixed) stream").hasSize(1);
                assertThat(c.audioPackets()).as(ctx + ": packets").isGreaterThanOrEqualTo(COUNT - 3);
            }
            lines.add(ep.name() + " hears " + (want.length == 0 ? "nothing"
                    : Arrays.stream(want).mapToObj(hz -> nameOf(eps, hz)).collect(Collectors.joining(" + "))));
        }
        return lines;
    }

    /** The first phone that left a gap longer than {@link #LATE_SENDER_NANOS} since {@code sent}; null if none. */
    static String lateSender(List<RtpEndpoint> eps, int[] sent) {
        List<String> names = new ArrayList<>();
        List<List<Long>> times = new ArrayList<>();
        for (int i = 0; i < eps.size(); i++) {
            names.add(eps.get(i).name());
            times.add(eps.get(i).sendTimesSince(sent[i]));
        }
        return lateSender(names, times);
    }

    /** As above on send times (nanoTime, in order) per phone. */
    static String lateSender(List<String> names, List<List<Long>> sendTimes) {
        for (int i = 0; i < names.size(); i++) {
            List<Long> t = sendTimes.get(i);
            for (int k = 1; k < t.size(); k++) {
                long gap = t.get(k) - t.get(k - 1);
                if (gap > LATE_SENDER_NANOS) {
                    return names.get(i) + " sent nothing for " + gap / 1_000_000 + " ms";
                }
            }
        }
        return null;
    }

    private static String nameOf(List<RtpEndpoint> eps, double hz) {
        return eps.stream().filter(e -> e.toneHz() == hz).map(RtpEndpoint::name).findFirst().orElse(hz + " Hz");
    }

    /** A row of the matrix: endpoint, tones it must hear, endpoint, tones, ... */
    public static Map<RtpEndpoint, double[]> row(Object... pairs) {
        Map<RtpEndpoint, double[]> row = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            row.put((RtpEndpoint) pairs[i], (double[]) pairs[i + 1]);
        }
        return row;
    }

    public static double[] hz(double... h) {
        return h;
    }
}
