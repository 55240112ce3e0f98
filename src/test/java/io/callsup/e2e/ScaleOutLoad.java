package io.callsup.e2e;

import io.callsup.e2e.LabScenario.Call;
import io.callsup.testsupport.netns.NetnsLab;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.callsup.e2e.StackDb.sessionOf;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15's load run on "separate hosts" ({@link NetnsLab}), shared by the benchmark
 * ({@link ScaleOutBench}, bin/bench-scale-out) and its small run in the test suite ({@link NetnsLoadIT}):
 * N ordinary calls, spread by Kamailio over both rtpengines; a CPU window with them unsupervised; N
 * supervisors joining in whisper (*91), one at a time, each join timed; a CPU window with every call
 * supervised. CPU per node is that of every process in the node's namespace ({@code ip netns pids},
 * utime + stime from /proc through {@link BenchCpu}), so it is what that "host" would spend.
 * <p>
 * Broken is loud: every join must reach ACTIVE/WHISPER, a sample of calls on both rtpengines must be
 * heard right (presence and absence, {@code ToneMatrix}) before the joins, after them and after the
 * supervised window, every phone must still be up and every session still ACTIVE at the end, and
 * each rtpengine must be the process it was at the start.
 */
final class ScaleOutLoad {

    /** A "host" of the lab: its name in the report and its namespace. */
    record Node(String name, String netns) {
    }

    static final List<Node> NODES = List.of(new Node("rtpengine 1", "csl-rtpe1"), new Node("rtpengine 2", "csl-rtpe2"),
            new Node("replica 1", "csl-svc1"), new Node("replica 2", "csl-svc2"), new Node("Kamailio", "csl-kam"),
            new Node("PostgreSQL", "csl-db"));
    /** Not the product: the phones' side, in the root namespace. */
    static final String HARNESS = "harness: test JVM (RTP endpoints, API client, embedded Artemis) + SIPp";
    /** Agent and caller tones (LabScenario: 400 / 900 + 50 n Hz) stay below 4 kHz, and the media ports suffice. */
    static final int MAX_CALLS = 60;
    /** Calls placed beyond N only while all landed on one rtpengine (hash of the call-id: 2^-(N-1)). */
    private static final int MAX_EXTRA_CALLS = 8;
    private static final Duration JOIN_WAIT = Duration.ofSeconds(20);

    private record Line(Call call, long supId, RtpEndpoint sup) {
    }

    private record Window(Map<String, Double> msPerS, double seconds, long expected, long received, double load1) {
    }

    private final Connection db;
    private final LabScenario people;
    private final BenchCpu cpu = new BenchCpu(ScaleOutLoad::processes);

    ScaleOutLoad(Connection db, LabScenario people) {
        this.db = db;
        this.people = people;
    }

    /**
     * The run; returns the report (a markdown table and lines), printed as it is. {@code loadBeforeLab}:
     * /proc/loadavg read before the lab started; {@code reproduce}: the command that runs this again.
     */
    List<String> run(int n, Duration window, int sampleSize, String loadBeforeLab, String reproduce) throws Exception {
        assertThat(n).as("calls").isBetween(2, MAX_CALLS);
        Instant started = Instant.now();
        Map<String, Long> rtpengines = rtpenginePids();

        List<Call> calls = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; calls.size() < n || daemons(calls).size() < 2; i++) {
            assertThat(i).as("calls placed until both rtpengines anchor one (%s)", daemons(calls))
                    .isLessThan(n + MAX_EXTRA_CALLS);
            calls.add(people.call(i, "uas_answer.xml"));
        }
        double callSetupS = (System.nanoTime() - t0) / 1e9;
        Map<String, Integer> perDaemon = daemons(calls);
        assertThat(perDaemon.keySet()).as("calls spread over both rtpengines")
                .containsExactlyInAnyOrder(NetnsLab.ng(0), NetnsLab.ng(1));
        List<Long> supIds = new ArrayList<>();
        for (Call c : calls) {
            supIds.add(people.supervisor("90" + c.n(), "Sup" + c.n()));
        }
        List<Integer> sample = sample(calls, sampleSize);
        for (int i = 0; i < calls.size(); i++) {
            // Only the sampled calls are listened to; the others' packets are counted, not kept.
            calls.get(i).agent().keepPackets(sample.contains(i));
            calls.get(i).caller().keepPackets(sample.contains(i));
        }
        expectRow("load: unsupervised sample", unsupervisedRow(calls, sample));
        List<RtpEndpoint> media = new ArrayList<>();
        calls.forEach(c -> media.addAll(List.of(c.agent(), c.caller())));
        Window base = window(window, media);

        List<Line> lines = new ArrayList<>();
        List<Double> dialToActive = new ArrayList<>();
        var joinTicks0 = cpu.ticks();
        long joins0 = System.nanoTime();
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            RtpEndpoint ep = people.endpoint("sup" + c.n(), supHz(c.n()));
            ep.keepPackets(sample.contains(i));
            long dialled = System.nanoTime();
            people.dial(supIds.get(i), "*91" + c.agentExt(), ep);
            dialToActive.add(awaitWhisper(supIds.get(i), dialled));
            lines.add(new Line(c, supIds.get(i), ep));
            media.add(ep);
        }
        double joinS = (System.nanoTime() - joins0) / 1e9;
        Map<String, Double> joinMsPerS = BenchCpu.msPerSecond(joinTicks0, cpu.ticks(), joinS);
        List<Double> inviteTo200 = new ArrayList<>();
        for (Line l : lines) {
            long[] t = BenchFigures.inviteAnd200Micros(people.phoneOf(l.supId()).messageTrace());
            assertThat(t[0] > 0 && t[1] > 0).as("supervisor %d: INVITE and 200 OK in its SIPp trace", l.supId()).isTrue();
            inviteTo200.add((t[1] - t[0]) / 1000.0);
        }
        expectRow("load: whisper sample, all joined", whisperRow(lines, sample));
        Window sup = window(window, media);

        expectRow("load: whisper sample after the supervised window", whisperRow(lines, sample));
        for (Line l : lines) {
            assertThat(sessionOf(db, l.supId())).as("session of call %d after the window", l.call().n())
                    .startsWith("ACTIVE/WHISPER/");
            for (SippPhone p : List.of(l.call().agentPhone(), l.call().callerPhone(), people.phoneOf(l.supId()))) {
                assertThat(p.running()).as("a phone of call %d still up\n%s", l.call().n(), p.trace()).isTrue();
            }
        }
        assertThat(rtpenginePids()).as("every rtpengine is the process it was at the start").isEqualTo(rtpengines);
        rtpengines.values().forEach(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                .as("rtpengine %d alive", pid).contains(true));

        List<String> report = report(started, calls, perDaemon, base, sup, joinMsPerS, joinS, inviteTo200,
                dialToActive, sample, callSetupS);
        report.add("load average (1/5/15 min): before the lab started " + loadBeforeLab + "; at the end " + loadAverage());
        report.add("reproduce: " + reproduce);
        report.forEach(System.out::println);
        return report;
    }

    /** Polls the supervisor's session every 20 ms until ACTIVE/WHISPER; returns ms since {@code dialled}. */
    private double awaitWhisper(long supId, long dialled) throws Exception {
        long deadline = dialled + JOIN_WAIT.toNanos();
        String s = null;
        while (System.nanoTime() < deadline) {
            s = sessionOf(db, supId);
            if (s != null && s.startsWith("ACTIVE/WHISPER/")) {
                return (System.nanoTime() - dialled) / 1e6;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("join of supervisor " + supId + " not ACTIVE/WHISPER within " + JOIN_WAIT + " (now "
                + s + ")\n" + people.phoneOf(supId).trace());
    }

    /**
     * A CPU window, after a settling pause of a sixth of it (1-10 s): the JIT compiling and the GC
     * collecting what set-up or the joins just ran would otherwise count as steady-state cost.
     */
    private Window window(Duration d, List<RtpEndpoint> media) throws InterruptedException {
        Thread.sleep(Math.max(1000, Math.min(10_000, d.toMillis() / 6)));
        media.forEach(RtpEndpoint::resetSequences);
        double load = BenchFigures.loadAvg1();
        var before = cpu.ticks();
        long s0 = System.nanoTime();
        Thread.sleep(d.toMillis());
        var after = cpu.ticks();
        double secs = (System.nanoTime() - s0) / 1e9;
        long expected = 0;
        long received = 0;
        for (RtpEndpoint ep : media) {
            long[] c = ep.sequenceCounts();
            assertThat(c[1]).as("%s received media in the window", ep.name()).isPositive();
            expected += c[0];
            received += c[1];
        }
        return new Window(BenchCpu.msPerSecond(before, after, secs), secs, expected, received,
                (load + BenchFigures.loadAvg1()) / 2);
    }

    /** Supervisor tones sit above the agent and caller tones of the first 24 calls, and below 4 kHz. */
    static double supHz(int n) {
        return 2100 + 50 * (n % 36);
    }

    /** Calls per rtpengine (ng address), in order of first use. */
    private static Map<String, Integer> daemons(List<Call> calls) {
        Map<String, Integer> m = new LinkedHashMap<>();
        calls.forEach(c -> m.merge(c.daemon(), 1, Integer::sum));
        return m;
    }

    /**
     * Up to {@code size} calls (indexes), taking each rtpengine's in turn, whose three tones differ
     * from every tone already taken (ToneMatrix checks each endpoint against all tones of the row).
     */
    static List<Integer> sample(List<Call> calls, int size) {
        Map<String, Deque<Integer>> byDaemon = new LinkedHashMap<>();
        for (int i = 0; i < calls.size(); i++) {
            byDaemon.computeIfAbsent(calls.get(i).daemon(), k -> new ArrayDeque<>()).add(i);
        }
        List<Integer> chosen = new ArrayList<>();
        Set<Double> tones = new HashSet<>();
        while (chosen.size() < size && byDaemon.values().stream().anyMatch(q -> !q.isEmpty())) {
            for (Deque<Integer> q : byDaemon.values()) {
                while (!q.isEmpty() && chosen.size() < size) {
                    int i = q.poll();
                    Call c = calls.get(i);
                    List<Double> t = List.of(c.agent().toneHz(), c.caller().toneHz(), supHz(c.n()));
                    if (t.stream().noneMatch(tones::contains)) {
                        tones.addAll(t);
                        chosen.add(i);
                        break;
                    }
                }
            }
        }
        assertThat(chosen.stream().map(i -> calls.get(i).daemon()).distinct().count())
                .as("the sample has calls on both rtpengines").isEqualTo(2);
        return chosen;
    }

    private static Map<RtpEndpoint, double[]> unsupervisedRow(List<Call> calls, List<Integer> sample) {
        Map<RtpEndpoint, double[]> row = new LinkedHashMap<>();
        for (int i : sample) {
            Call c = calls.get(i);
            row.put(c.agent(), hz(c.caller().toneHz()));
            row.put(c.caller(), hz(c.agent().toneHz()));
        }
        return row;
    }

    /** Whisper: the agent hears caller and supervisor, the caller only the agent, the supervisor both. */
    private static Map<RtpEndpoint, double[]> whisperRow(List<Line> lines, List<Integer> sample) {
        Map<RtpEndpoint, double[]> row = new LinkedHashMap<>();
        for (int i : sample) {
            Call c = lines.get(i).call();
            RtpEndpoint s = lines.get(i).sup();
            row.put(c.agent(), hz(c.caller().toneHz(), s.toneHz()));
            row.put(c.caller(), hz(c.agent().toneHz()));
            row.put(s, hz(c.agent().toneHz(), c.caller().toneHz()));
        }
        return row;
    }

    private static List<String> report(Instant started, List<Call> calls, Map<String, Integer> perDaemon, Window base,
                                       Window sup, Map<String, Double> joinMsPerS, double joinS, List<Double> inviteTo200,
                                       List<Double> dialToActive, List<Integer> sample, double callSetupS) {
        int n = calls.size();
        List<String> out = new ArrayList<>();
        out.add(String.format("scale-out load run %s: %d calls (rtpengine 1 anchored %d, rtpengine 2 %d), all %d "
                        + "whisper-supervised; windows of %.0f s; %d cores shared by every node and the harness",
                started.truncatedTo(ChronoUnit.SECONDS), n, perDaemon.getOrDefault(NetnsLab.ng(0), 0),
                perDaemon.getOrDefault(NetnsLab.ng(1), 0), n, sup.seconds(), Runtime.getRuntime().availableProcessors()));
        out.add("");
        out.add("| node | CPU ms/s, calls unsupervised | CPU ms/s, all supervised | added | divided by | added per "
                + "supervised call (ms/s) | joins: CPU ms per join above baseline |");
        out.add("|---|---|---|---|---|---|---|");
        double baseSum = 0;
        double supSum = 0;
        double joinSum = 0;
        for (String node : sup.msPerS().keySet()) {
            double b = base.msPerS().getOrDefault(node, 0.0);
            double s = sup.msPerS().get(node);
            double perJoin = (joinMsPerS.getOrDefault(node, 0.0) - b) * joinS / n;
            int divisor = node.startsWith("rtpengine") ? perDaemon.getOrDefault(NetnsLab.ng(node.endsWith("1") ? 0 : 1), 0) : n;
            String what = node.startsWith("rtpengine") ? divisor + " (its calls)" : n + " (all calls)";
            out.add(String.format("| %s | %.1f | %.1f | %.1f | %s | %.2f | %.1f |", node, b, s, s - b, what,
                    (s - b) / divisor, perJoin));
            if (!node.equals(HARNESS)) {
                baseSum += b;
                supSum += s;
                joinSum += perJoin;
            }
        }
        out.add(String.format("| **product (6 nodes)** | %.1f | %.1f | %.1f | %d | **%.2f** (%.2f %% of a core) | %.1f |",
                baseSum, supSum, supSum - baseSum, n, (supSum - baseSum) / n, (supSum - baseSum) / n / 10, joinSum));
        out.add("");
        out.add(String.format("join latency, %d joins one at a time (each started when the previous was ACTIVE), on top "
                + "of the %d calls: supervisor's authenticated INVITE -> its 200 OK (SIPp trace, at the phone) %s; "
                + "dial (SIPp started) -> session ACTIVE/WHISPER (row polled every 20 ms) %s", n, n,
                pcts(inviteTo200), pcts(dialToActive)));
        out.add(String.format("media: packets received / expected by all endpoints, unsupervised window %d / %d "
                        + "(loss %.3f %%), supervised window %d / %d (loss %.3f %%); 1-minute load average over the "
                        + "windows %.2f and %.2f", base.received(), base.expected(), loss(base), sup.received(),
                sup.expected(), loss(sup), base.load1(), sup.load1()));
        out.add(String.format("checks passed: %d/%d joins ACTIVE/WHISPER and still ACTIVE after the window; every phone "
                        + "up; tones right (presence and absence) before the joins, after them and after the window on "
                        + "calls %s (both rtpengines); rtpengine pids unchanged; calls set up in %.1f s, joins in %.1f s",
                n, n, sample.stream().map(i -> calls.get(i).n() + "@rtpengine" + (calls.get(i).daemon()
                        .equals(NetnsLab.ng(0)) ? 1 : 2)).toList(), callSetupS, joinS));
        return out;
    }

    private static String pcts(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return String.format("p50 %.0f / p95 %.0f / p99 %.0f / max %.0f ms", BenchFigures.pct(s, 50),
                BenchFigures.pct(s, 95), BenchFigures.pct(s, 99), s.get(s.size() - 1));
    }

    private static double loss(Window w) {
        return w.expected() == 0 ? 0 : 100.0 * (w.expected() - w.received()) / w.expected();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** Every node's processes (by namespace), and the harness's: this JVM and its SIPp children. */
    private static Map<String, List<Long>> processes() {
        Map<String, List<Long>> m = new LinkedHashMap<>();
        for (Node node : NODES) {
            m.put(node.name(), NetnsLab.pids(node.netns()));
        }
        List<Long> harness = new ArrayList<>(List.of(ProcessHandle.current().pid()));
        ProcessHandle.current().descendants().filter(h -> "sipp".equals(BenchCpu.comm(h.pid())))
                .forEach(h -> harness.add(h.pid()));
        m.put(HARNESS, harness);
        return m;
    }

    private static Map<String, Long> rtpenginePids() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Node node : NODES.subList(0, 2)) {
            List<Long> pids = NetnsLab.pids(node.netns()).stream().filter(p -> BenchCpu.comm(p).startsWith("rtpengine")).toList();
            assertThat(pids).as("one rtpengine in %s", node.netns()).hasSize(1);
            m.put(node.name(), pids.get(0));
        }
        return m;
    }
}
