package io.callsup.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Samples, percentiles and SIPp trace times for {@link VsAsteriskBench}. */
final class BenchFigures {

    private static final Pattern ENTRY = Pattern.compile(
            "-{20,} (\\d{4}-\\d\\d-\\d\\d[ \\t]\\d\\d:\\d\\d:\\d\\d\\.\\d{6})\\s*\\n(UDP message (?:sent|received))[^\\n]*\\n\\s*"
                    + "(.*?)(?=\\n-{20,} |\\z)", Pattern.DOTALL);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    /** metric -> system -> samples in ms (negative: the event never came, counted as a miss). */
    private final Map<String, Map<String, List<Double>>> samples = new LinkedHashMap<>();
    private final Map<String, List<Double>> load = new LinkedHashMap<>();

    void add(String metric, String system, double ms) {
        samples.computeIfAbsent(metric, k -> new LinkedHashMap<>()).computeIfAbsent(system, k -> new ArrayList<>())
                .add(ms);
    }

    void load(String system, double loadAvg1) {
        load.computeIfAbsent(system, k -> new ArrayList<>()).add(loadAvg1);
    }

    static double loadAvg1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /**
     * Wall-clock epoch microseconds at which SIPp sent the authenticated INVITE (CSeq 2) and received
     * its 200 OK, from the phone's message trace; {-1, -1} when either is missing.
     */
    static long[] inviteAnd200Micros(Path trace) throws IOException {
        return requestAnd200Micros(trace, "INVITE", 2);
    }

    /** As {@link #inviteAnd200Micros}, for the request {@code method} with CSeq number {@code cseq}. */
    static long[] requestAnd200Micros(Path trace, String method, int cseq) throws IOException {
        String text = Files.exists(trace) ? Files.readString(trace, StandardCharsets.ISO_8859_1) : "";
        long sent = -1;
        long ok = -1;
        Pattern cseqLine = Pattern.compile("(?s).*\\nCSeq: *" + cseq + " " + method + "\\b.*");
        Matcher m = ENTRY.matcher(text.replace("\r\n", "\n"));
        while (m.find()) {
            String msg = m.group(3);
            if (!cseqLine.matcher(msg).matches()) {
                continue;
            }
            long t = micros(m.group(1));
            if (m.group(2).endsWith("sent") && msg.startsWith(method + " ") && sent < 0) {
                sent = t;
            } else if (m.group(2).endsWith("received") && msg.startsWith("SIP/2.0 200") && ok < 0) {
                ok = t;
            }
        }
        return new long[]{sent, ok};
    }

    private static long micros(String stamp) {
        var t = LocalDateTime.parse(stamp.replace('\t', ' '), STAMP).atZone(ZoneId.systemDefault()).toInstant();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    /** Epoch microseconds now minus System.nanoTime()/1000: turns SIPp's wall-clock stamps into nanoTime. */
    static long wallMinusMonoMicros() {
        java.time.Instant now = java.time.Instant.now();
        long mono = System.nanoTime();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000 - mono / 1000;
    }

    static double pct(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static List<Double> hits(List<Double> v) {
        List<Double> h = new ArrayList<>();
        if (v != null) {
            v.stream().filter(x -> x >= 0).forEach(h::add);
        }
        h.sort(null);
        return h;
    }

    Map<String, Map<String, List<Double>>> samples() {
        return samples;
    }

    /** The table: per metric p50 / p99 for each system, misses, and the ratio product / Asterisk. */
    List<String> table(String product, String asterisk) {
        List<String> out = new ArrayList<>();
        out.add(String.format("| metric (ms) | %s p50 / p99 (n, missed) | %s p50 / p99 (n, missed) | ratio p50 / p99 |",
                product, asterisk));
        out.add("|---|---|---|---|");
        for (var e : samples.entrySet()) {
            List<Double> p = hits(e.getValue().get(product));
            List<Double> a = hits(e.getValue().get(asterisk));
            out.add(String.format("| %s | %.1f / %.1f (%d, %d) | %.1f / %.1f (%d, %d) | %.2f / %.2f |", e.getKey(),
                    pct(p, 50), pct(p, 99), p.size(), misses(e.getValue().get(product)),
                    pct(a, 50), pct(a, 99), a.size(), misses(e.getValue().get(asterisk)),
                    pct(p, 50) / pct(a, 50), pct(p, 99) / pct(a, 99)));
        }
        for (var e : load.entrySet()) {
            List<Double> l = new ArrayList<>(e.getValue());
            l.sort(null);
            out.add(String.format("1-minute load average around the %s joins: %.2f .. %.2f (median %.2f)",
                    e.getKey(), l.get(0), l.get(l.size() - 1), pct(l, 50)));
        }
        return out;
    }

    /**
     * Issue 12's latency targets, in plain words: per metric with a bound on the ratio product /
     * Asterisk at p50 and/or p99 (NaN: no bound), "met" or "missed by" the ratio and the milliseconds
     * the product would have needed. A metric without samples on either side says so.
     */
    List<String> verdicts(String product, String asterisk, Map<String, double[]> maxRatioP50P99) {
        List<String> out = new ArrayList<>();
        maxRatioP50P99.forEach((metric, bound) -> {
            Map<String, List<Double>> bySystem = samples.getOrDefault(metric, Map.of());
            List<Double> p = hits(bySystem.get(product));
            List<Double> a = hits(bySystem.get(asterisk));
            if (p.isEmpty() || a.isEmpty()) {
                out.add("target " + metric + ": NOT MEASURED (no samples)");
                return;
            }
            double[] pct = {50, 99};
            for (int i = 0; i < 2; i++) {
                if (Double.isNaN(bound[i])) {
                    continue;
                }
                double mine = pct(p, pct[i]);
                double theirs = pct(a, pct[i]);
                double ratio = mine / theirs;
                out.add(String.format("target %s: p%.0f %.1f ms vs %.1f ms = %.2f (target <= %.2f: %s)", metric, pct[i],
                        mine, theirs, ratio, bound[i], ratio <= bound[i] ? "met"
                                : String.format("missed by %.2f; %.1f ms or less would pass", ratio - bound[i],
                                theirs * bound[i])));
            }
        });
        return out;
    }

    private static long misses(List<Double> v) {
        return v == null ? 0 : v.stream().filter(x -> x < 0).count();
    }
}
