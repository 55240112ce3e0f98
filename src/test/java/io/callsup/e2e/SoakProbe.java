package io.callsup.e2e;

import io.callsup.media.NgAddress;
import io.callsup.media.NgClient;
import io.callsup.testsupport.RtpengineResource;
import io.vertx.core.Vertx;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link SupervisionSoak} watches: state (rtpengine's ng {@code statistics}, the service's
 * live sessions and supervision legs in PostgreSQL) and memory (service heap after a full GC via
 * jcmd, service and rtpengine RSS from /proc), with the thresholds and why.
 */
final class SoakProbe implements AutoCloseable {

    /**
     * Live heap after a full GC, end minus baseline. A soak makes about 1,000-2,000 joins: a leak
     * of 8 KiB or more per join (one session object graph with its strings) would pass 16 MiB,
     * while GC noise between two full collections is a few MiB.
     */
    static final int HEAP_GROWTH_MIB = 16;
    /**
     * Service RSS over the second half: the JVM may still commit heap up to its -Xmx (service.jvm.options), so RSS
     * alone is a coarse signal; 48 MiB in 5 minutes is well above the noise seen in development runs
     * and far below what a leak of sessions, threads or direct buffers per join would add.
     */
    static final int SERVICE_RSS_GROWTH_MIB = 48;
    /**
     * rtpengine RSS over the second half: a call's buffer grows with every ng command on it until the
     * call ends (SupervisionSoak replaces calls every 90 s, in waves, so each wave's high-water mark is
     * the same) and freed memory is reused; 8 MiB would be some 6 KiB per second-half join lost.
     */
    static final int RTPENGINE_RSS_GROWTH_MIB = 8;
    private static final String[] RTPENGINE_COUNTS = {"sessionsown", "sessionstotal", "transcodedmedia", "media_mixed"};

    record Snapshot(long nanos, double heapMib, double serviceRssMib, double rtpengineRssMib,
                    Map<String, Long> rtpengine, Map<String, Long> db) {
        @Override
        public String toString() {
            return String.format("service heap after GC %.1f MiB, service RSS %.0f MiB, rtpengine RSS %.1f MiB, "
                    + "rtpengine %s, db %s", heapMib, serviceRssMib, rtpengineRssMib, rtpengine, db);
        }
    }

    private final Connection db;
    private final Vertx vertx = Vertx.vertx();
    private final NgAddress daemon;
    private final NgClient ng;
    private final List<double[]> samples = new ArrayList<>();

    SoakProbe(Connection db, String ngAddress) {
        this.db = db;
        this.daemon = NgAddress.parse(ngAddress);
        this.ng = new NgClient(vertx, List.of(daemon), Duration.ofSeconds(1), 2);
    }

    Snapshot snapshot(boolean gc) throws Exception {
        long service = servicePid();
        return new Snapshot(System.nanoTime(), gc ? heapAfterGcMib(service) : Double.NaN,
                BenchCpu.vmRssKbOf(service) / 1024.0, BenchCpu.vmRssKbOf(RtpengineResource.pid()) / 1024.0,
                rtpengineCounts(), dbCounts());
    }

    /** RSS of the service and rtpengine every {@code every} until {@code end} (nanoTime). */
    void sampleUntil(long end, Duration every) throws Exception {
        long t0 = System.nanoTime();
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(every.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            samples.add(new double[]{(System.nanoTime() - t0) / 1e9, BenchCpu.vmRssKbOf(servicePid()) / 1024.0,
                    BenchCpu.vmRssKbOf(RtpengineResource.pid()) / 1024.0});
            double[] s = samples.get(samples.size() - 1);
            System.out.printf("soak: t=%.0f s service RSS %.0f MiB, rtpengine RSS %.1f MiB, rtpengine %s%n", s[0], s[1],
                    s[2], rtpengineCounts());
        }
    }

    /** Polls until state is back to {@code base} (or {@code max}), then takes a snapshot with a full GC. */
    Snapshot awaitSettled(Snapshot base, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            Snapshot s = snapshot(false);
            if (s.rtpengine().equals(base.rtpengine()) && s.db().equals(base.db())) {
                break;
            }
            Thread.sleep(500);
        }
        return snapshot(true);
    }

    void assertStateBack(Snapshot base, Snapshot last) {
        assertThat(last.rtpengine()).as("rtpengine statistics after every supervisor left, against the baseline")
                .isEqualTo(base.rtpengine());
        assertThat(last.db()).as("service state in PostgreSQL after every supervisor left").isEqualTo(base.db());
        assertThat(last.db().get("live_sessions")).as("live supervision sessions").isZero();
    }

    void assertMemoryBounded(Snapshot base, Snapshot last) {
        assertThat(last.heapMib() - base.heapMib()).as("service live heap growth, MiB (%s)", memoryReport(base, last))
                .isLessThanOrEqualTo(HEAP_GROWTH_MIB);
        double[] half = halfDrift();
        assertThat(half[0]).as("service RSS growth over the second half, MiB").isLessThanOrEqualTo(SERVICE_RSS_GROWTH_MIB);
        assertThat(half[1]).as("rtpengine RSS growth over the second half, MiB")
                .isLessThanOrEqualTo(RTPENGINE_RSS_GROWTH_MIB);
    }

    /** {service, rtpengine} RSS: the last sample minus the sample nearest the middle of the run. */
    double[] halfDrift() {
        if (samples.size() < 2) {
            return new double[]{0, 0};
        }
        double[] last = samples.get(samples.size() - 1);
        double[] mid = samples.get(0);
        for (double[] s : samples) {
            if (Math.abs(s[0] - last[0] / 2) < Math.abs(mid[0] - last[0] / 2)) {
                mid = s;
            }
        }
        return new double[]{last[1] - mid[1], last[2] - mid[2]};
    }

    String memoryReport(Snapshot base, Snapshot last) {
        double[] half = halfDrift();
        return String.format("service heap after GC %.1f -> %.1f MiB (limit +%d), service RSS %.0f -> %.0f MiB "
                + "(second half %+.0f, limit +%d), rtpengine RSS %.1f -> %.1f MiB (second half %+.1f, limit +%d); "
                + "rtpengine %s -> %s; db %s -> %s", base.heapMib(), last.heapMib(), HEAP_GROWTH_MIB,
                base.serviceRssMib(), last.serviceRssMib(), half[0], SERVICE_RSS_GROWTH_MIB, base.rtpengineRssMib(),
                last.rtpengineRssMib(), half[1], RTPENGINE_RSS_GROWTH_MIB, base.rtpengine(), last.rtpengine(),
                base.db(), last.db());
    }

    boolean pingOk() {
        try {
            Map<String, Object> r = ng.request(daemon, Map.of("command", "ping")).toCompletionStage()
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            return "pong".equals(String.valueOf(r.get("result")));
        } catch (Exception e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Long> rtpengineCounts() throws Exception {
        Map<String, Object> r = ng.request(daemon, Map.of("command", "statistics")).toCompletionStage()
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        Map<String, Object> cur = (Map<String, Object>) ((Map<String, Object>) r.get("statistics"))
                .get("currentstatistics");
        Map<String, Long> m = new LinkedHashMap<>();
        for (String k : RTPENGINE_COUNTS) {
            m.put(k, ((Number) cur.get(k)).longValue());
        }
        return m;
    }

    private Map<String, Long> dbCounts() throws SQLException {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("live_sessions", count("SELECT count(*) FROM supervision_session WHERE state <> 'ENDED'"));
        m.put("supervision_legs", count("SELECT count(*) FROM active_call WHERE supervision_leg"));
        m.put("calls", count("SELECT count(*) FROM active_call WHERE NOT supervision_leg"));
        return m;
    }

    private long count(String sql) throws SQLException {
        synchronized (db) { // the soak's workers share this connection
            try (PreparedStatement ps = db.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * The service's own latency histograms (join decision, digit to new mode) as Prometheus shows
     * them, with a bucket-based p50/p99 per series: the soak's join latency distribution.
     */
    static String latencies(int managementPort) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        String text = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + managementPort + "/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        Map<String, List<double[]>> buckets = new LinkedHashMap<>();
        StringBuilder out = new StringBuilder();
        Matcher m = Pattern.compile("(?m)^(callsup_(?:join_latency|switch_digit_latency)_seconds_(?:bucket|count|max))"
                + "\\{([^}]*)\\} (\\S+)").matcher(text);
        while (m.find()) {
            String labels = m.group(2).replaceAll(",?le=\"[^\"]*\"", "");
            if (m.group(1).endsWith("_bucket")) {
                Matcher le = Pattern.compile("le=\"([^\"]+)\"").matcher(m.group(2));
                if (le.find()) {
                    double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                    buckets.computeIfAbsent(m.group(1).replace("_bucket", "") + "{" + labels + "}", k -> new ArrayList<>())
                            .add(new double[] {bound, Double.parseDouble(m.group(3))});
                }
            } else {
                out.append(m.group(1)).append('{').append(labels).append("} ").append(m.group(3)).append('\n');
            }
        }
        buckets.forEach((series, b) -> {
            b.sort((x, y) -> Double.compare(x[0], y[0]));
            double total = b.get(b.size() - 1)[1];
            out.append(series).append(String.format(" n=%.0f p50<=%s p99<=%s; buckets ", total, bound(b, total * 0.5),
                    bound(b, total * 0.99)));
            for (double[] x : b) {
                out.append(x[0] == Double.POSITIVE_INFINITY ? "inf" : String.format("%.0fms", x[0] * 1000)).append(':')
                        .append(String.format("%.0f ", x[1]));
            }
            out.append('\n');
        });
        return out.toString();
    }

    private static String bound(List<double[]> b, double rank) {
        for (double[] x : b) {
            if (x[1] >= rank && rank > 0) {
                return x[0] == Double.POSITIVE_INFINITY ? "inf" : String.format("%.0f ms", x[0] * 1000);
            }
        }
        return "-";
    }

    static long servicePid() {
        List<Long> p = BenchCpu.childrenMatching("quarkus-run.jar");
        if (p.isEmpty()) {
            throw new IllegalStateException("no service process (quarkus-run.jar) under this JVM");
        }
        return p.get(0);
    }

    /**
     * The heap's parts in jcmd GC.heap_info: Serial's two generations (service.jvm.options), or G1's
     * whole heap. Not "Metaspace ... used": that is not heap. Until 2026-12-02 the probe read only
     * the first "used", the young generation, which is empty after a full GC: the heap bound could
     * not fail.
     */
    private static final Pattern HEAP_PART = Pattern.compile(
            "(?m)^\\s*(def new generation|tenured generation|garbage-first heap|PSYoungGen|ParOldGen)\\s+total \\d+K, used (\\d+)K");

    /** Full GC (jcmd GC.run), then the heap's used size (jcmd GC.heap_info), MiB. */
    static double heapAfterGcMib(long pid) throws Exception {
        jcmd(pid, "GC.run");
        return heapUsedMib(jcmd(pid, "GC.heap_info"));
    }

    /** The used size of every heap part in a GC.heap_info text, summed, MiB. */
    static double heapUsedMib(String heapInfo) {
        Matcher m = HEAP_PART.matcher(heapInfo);
        long kib = 0;
        int parts = 0;
        while (m.find()) {
            kib += Long.parseLong(m.group(2));
            parts++;
        }
        if (parts == 0) {
            throw new IllegalStateException("no heap size in jcmd GC.heap_info: " + heapInfo);
        }
        return kib / 1024.0;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    /** Waits until the supervisor's newest session reads "STATE/MODE/REASON" starting with {@code prefix}. */
    static void await(Connection db, long supervisorId, String prefix, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        String s = null;
        while (System.nanoTime() < deadline) {
            synchronized (db) {
                s = StackDb.sessionOf(db, supervisorId);
            }
            if (s != null && s.startsWith(prefix)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("session of " + supervisorId + " is " + s + ", expected " + prefix);
    }

    static String sessionId(Connection db, long supervisorId) throws SQLException {
        synchronized (db) {
            return StackDb.sessionIdOf(db, supervisorId);
        }
    }

    @Override
    public void close() {
        ng.close();
        vertx.close();
    }
}
