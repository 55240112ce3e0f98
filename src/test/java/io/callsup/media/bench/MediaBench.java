package io.callsup.media.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.callsup.media.MediaJoin;
import io.callsup.media.MediaPlan;
import io.callsup.media.MediaSession;
import io.callsup.media.NgAddress;
import io.callsup.media.NgClient;
import io.callsup.model.SupervisionMode;
import io.callsup.testsupport.rtp.Goertzel;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.RtpengineDaemon;
import io.callsup.testsupport.rtp.Sdp;
import io.callsup.testsupport.rtp.TestCall;
import io.vertx.core.Vertx;

/**
 * Benchmark, not a test: time from the command being sent to the new mode being audible at the
 * receiving endpoint (first 20 ms packet where the tone appears / is gone), per operation.
 * Run with bin/bench-media [runs].
 */
@ExtendWith(RtpengineDaemon.class)
public class MediaBench {
    static final double SUP_HZ = 1700;
    static final double ON = RtpEndpoint.AMPLITUDE / 4;
    static final double OFF = RtpEndpoint.AMPLITUDE / 20;

    @Test
    void bench() throws Exception {
        run(Integer.getInteger("bench.runs", 30));
    }

    static Predicate<short[]> has(double... hz) {
        return s -> {
            for (double h : hz) {
                if (Goertzel.amplitude(s, 0, s.length, h, RtpEndpoint.RATE) < ON) {
                    return false;
                }
            }
            return true;
        };
    }

    static Predicate<short[]> lacks(double hz) {
        return s -> Goertzel.amplitude(s, 0, s.length, hz, RtpEndpoint.RATE) < OFF;
    }

    static void run(int runs) throws Exception {
        Vertx vertx = Vertx.vertx();
        NgAddress d = NgAddress.parse(RtpengineDaemon.NG_ADDRESS);
        NgClient ng = new NgClient(vertx, List.of(d), Duration.ofMillis(500), 2);
        MediaPlan plan = new MediaPlan(ng, vertx, Duration.ZERO);
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        Duration max = Duration.ofSeconds(3);
        try {
            for (int r = 0; r < runs; r++) {
                try (TestCall c = new TestCall(ng, d, "PCMU"); RtpEndpoint s = new RtpEndpoint("sup", SUP_HZ)) {
                    c.agent.capture(5, 5); // call established
                    String offer = Sdp.make(s.port(), null, "PCMU", "telephone-event");
                    int mark = s.mark();
                    long t0 = System.nanoTime();
                    MediaJoin j = plan.join(c.callId, c.agentTag, c.clientTag, "sup-" + UUID.randomUUID(), offer,
                            SupervisionMode.SPY).await().atMost(max);
                    Sdp ans = Sdp.parse(j.sdpAnswer());
                    s.connect(ans, 0);
                    record(ms, "join (spy: S hears A+C)", t0, s.awaitPacket(mark, has(700, 1100), max));
                    MediaSession sess = j.session();
                    Object[][] path = {
                        {SupervisionMode.WHISPER, "spy->whisper (A hears S)", c.agent, has(SUP_HZ)},
                        {SupervisionMode.BARGE, "whisper->barge (C hears S)", c.client, has(SUP_HZ)},
                        {SupervisionMode.SPY, "barge->spy (C no longer hears S)", c.client, lacks(SUP_HZ)},
                        {SupervisionMode.BARGE, "spy->barge (C hears S)", c.client, has(SUP_HZ)},
                        {SupervisionMode.WHISPER, "barge->whisper (C no longer hears S)", c.client, lacks(SUP_HZ)},
                        {SupervisionMode.SPY, "whisper->spy (A no longer hears S)", c.agent, lacks(SUP_HZ)},
                        {SupervisionMode.WHISPER, "spy->whisper (A hears S)", c.agent, has(SUP_HZ)},
                    };
                    for (Object[] step : path) {
                        c.agent.capture(8, 2); // settle ~200 ms
                        RtpEndpoint ep = (RtpEndpoint) step[2];
                        @SuppressWarnings("unchecked")
                        Predicate<short[]> p = (Predicate<short[]>) step[3];
                        int m = ep.mark();
                        long t = System.nanoTime();
                        sess = plan.switchMode(sess, (SupervisionMode) step[0]).await().atMost(max);
                        record(ms, (String) step[1], t, ep.awaitPacket(m, p, max));
                    }
                    c.agent.capture(8, 2);
                    int m = c.agent.mark();
                    long t = System.nanoTime();
                    plan.leave(sess).await().atMost(max);
                    record(ms, "leave from whisper (A no longer hears S)", t, c.agent.awaitPacket(m, lacks(SUP_HZ), max));
                    plan.callEnded(c.callId).await().atMost(max);
                }
            }
        } finally {
            ng.close();
            vertx.close();
        }
        System.out.println();
        System.out.printf("rtpengine supervision media benchmark: %d runs, loopback, 20 ms G.711 packets%n", runs);
        System.out.println("time from command sent to the mode audible at the receiving endpoint (first packet), ms");
        System.out.printf("%-45s %6s %8s %8s %8s %6s%n", "operation", "n", "median", "p99", "max", "miss");
        for (Map.Entry<String, List<Double>> e : ms.entrySet()) {
            List<Double> v = new ArrayList<>(e.getValue());
            long miss = v.stream().filter(x -> x < 0).count();
            v.removeIf(x -> x < 0);
            v.sort(null);
            System.out.printf("%-45s %6d %8.1f %8.1f %8.1f %6d%n", e.getKey(), v.size(), pct(v, 50), pct(v, 99),
                    v.isEmpty() ? Double.NaN : v.get(v.size() - 1), miss);
        }
        System.out.println("reproduce: cd <repo> && bin/bench-media " + runs
                + "   (needs bin/rtpengine-daemon or CALLSUP_BIN; daemon on ng 127.0.0.1:22300, media 31000-31499)");
    }

    static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
    }

    static void record(Map<String, List<Double>> ms, String op, long t0, long t1) {
        ms.computeIfAbsent(op, k -> new ArrayList<>()).add(t1 < 0 ? -1.0 : (t1 - t0) / 1e6);
    }
}
