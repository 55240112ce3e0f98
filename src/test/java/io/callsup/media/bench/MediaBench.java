package io.callsup.media.bench;

import static io.callsup.model.SupervisionMode.BARGE;
import static io.callsup.model.SupervisionMode.SPY;
import static io.callsup.model.SupervisionMode.WHISPER;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.callsup.media.DtmfEvent;
import io.callsup.media.DtmfListener;
import io.callsup.media.DtmfSources;
import io.callsup.media.NgAddress;
import io.callsup.media.NgClient;
import io.callsup.media.RtpengineMixer;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.port.MediaMixer.MediaRef;
import io.callsup.supervision.port.MediaMixer.Prepared;
import io.callsup.testsupport.rtp.Goertzel;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.RtpengineDaemon;
import io.callsup.testsupport.rtp.Sdp;
import io.callsup.testsupport.rtp.TestCall;
import io.vertx.core.Vertx;

/**
 * Benchmark of {@link RtpengineMixer}, not a test: time from the mixer call to the new mode being
 * audible at the receiving endpoint (first 20 ms packet where the tone appears / is gone), per
 * operation; and for a switch triggered by the supervisor's own digit (as the core does it: on the
 * DTMF-log datagram, {@code afterOwnDigit=true}) the time from the digit's end. Run with
 * {@code bin/bench-media [runs]}; in the media test suite it runs once as a smoke test.
 */
@ExtendWith(RtpengineDaemon.class)
public class MediaBench {
    static final double SUP_HZ = 1700;
    static final double ON = RtpEndpoint.AMPLITUDE / 4;
    static final double OFF = RtpEndpoint.AMPLITUDE / 20;
    static final char DIGIT = '3';

    @Test
    void bench() throws Exception {
        run(Integer.getInteger("bench.runs", 1), Duration.ofMillis(Integer.getInteger("bench.delay-ms", 50)));
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

    static void run(int runs, Duration delay) throws Exception {
        Vertx vertx = Vertx.vertx();
        NgAddress d = NgAddress.parse(RtpengineDaemon.NG_ADDRESS);
        NgClient ng = new NgClient(vertx, List.of(d), Duration.ofMillis(500), 2);
        RtpengineMixer mixer = new RtpengineMixer(ng, Duration.ofSeconds(2), delay, new NgAddress("127.0.0.1", 9),
                1000);
        if (!mixer.alive(d.toString())) {
            RtpengineDaemon.run("start"); // aborted earlier in this run (rtpengine.md, mix_buffer.c:83)
        }
        LinkedBlockingQueue<DtmfEvent> digits = new LinkedBlockingQueue<>();
        DtmfListener dtmf = new DtmfListener(vertx, "127.0.0.1", RtpengineDaemon.DTMF_LOG_PORT, DtmfSources.of(List.of("127.0.0.1")),
                (reason, sender) -> { }, digits::add);
        dtmf.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        Duration max = Duration.ofSeconds(3);
        String digitOp = "spy->whisper on own digit, from digit end";
        try {
            for (int r = 0; r < runs; r++) {
                try (TestCall c = new TestCall(ng, d, "PCMU"); RtpEndpoint s = new RtpEndpoint("sup", SUP_HZ)) {
                    c.agent.capture(5, 5); // call established
                    String offer = Sdp.make(s.port(), null, "PCMU", "telephone-event");
                    int mark = s.mark();
                    long t0 = System.nanoTime();
                    Prepared p = mixer.prepareDialIn(new MediaRef(c.callId, null, c.agentTag, c.clientTag,
                            "sup-" + UUID.randomUUID()), offer);
                    Sdp ans = Sdp.parse(p.sdp());
                    s.connect(ans, 0);
                    MediaRef ref = p.ref();
                    mixer.activate(ref, SPY);
                    record(ms, "join (prepare+activate spy: S hears A+C)", t0, s.awaitPacket(mark, has(700, 1100), max));
                    Object[][] path = {
                        {WHISPER, "spy->whisper (A hears S)", c.agent, has(SUP_HZ)},
                        {BARGE, "whisper->barge (C hears S)", c.client, has(SUP_HZ)},
                        {SPY, "barge->spy (C no longer hears S)", c.client, lacks(SUP_HZ)},
                        {BARGE, "spy->barge (C hears S)", c.client, has(SUP_HZ)},
                        {WHISPER, "barge->whisper (C no longer hears S)", c.client, lacks(SUP_HZ)},
                        {SPY, "whisper->spy (A no longer hears S)", c.agent, lacks(SUP_HZ)},
                        {WHISPER, "spy->whisper (A hears S)", c.agent, has(SUP_HZ)},
                    };
                    SupervisionMode from = SPY;
                    for (Object[] step : path) {
                        c.agent.capture(8, 2); // settle ~200 ms
                        RtpEndpoint ep = (RtpEndpoint) step[2];
                        @SuppressWarnings("unchecked")
                        Predicate<short[]> audible = (Predicate<short[]>) step[3];
                        SupervisionMode to = (SupervisionMode) step[0];
                        int m = ep.mark();
                        long t = System.nanoTime();
                        mixer.switchMode(ref, from, to, false);
                        record(ms, (String) step[1], t, ep.awaitPacket(m, audible, max));
                        from = to;
                    }
                    // The supervisor's own digit, as the core handles it: switch when its DTMF-log datagram arrives.
                    mixer.switchMode(ref, WHISPER, SPY, false);
                    c.agent.capture(10, 2);
                    digits.clear();
                    int m = c.agent.mark();
                    s.sendDigit(DIGIT, 200);
                    DtmfEvent e = nextFrom(digits, ref.supervisorTag(), max);
                    long tDatagram = System.nanoTime();
                    if (e != null) {
                        mixer.switchMode(ref, SPY, WHISPER, true);
                    }
                    long heard = e == null ? -1 : c.agent.awaitPacket(m, has(SUP_HZ), max);
                    while (s.digitPending()) {
                        Thread.sleep(10);
                    }
                    RtpEndpoint.DigitTimes dt = s.lastDigit();
                    record(ms, digitOp, dt.endNanos(), heard);
                    record(ms, "  the same, from S's audio resuming", dt.audioResumedNanos(), heard);
                    record(ms, "  the same, from the DTMF-log datagram", tDatagram, heard);
                    c.agent.capture(8, 2);
                    int ml = c.agent.mark();
                    long t = System.nanoTime();
                    mixer.remove(ref);
                    record(ms, "remove from whisper (A no longer hears S)", t, c.agent.awaitPacket(ml, lacks(SUP_HZ),
                            max));
                    mixer.callEnded(c.callId);
                }
            }
        } finally {
            dtmf.close();
            ng.close();
            vertx.close();
        }
        System.out.println();
        System.out.printf("rtpengine supervision media benchmark (RtpengineMixer): %d runs, loopback, 20 ms G.711 "
                + "packets, audible-after-digit delay %d ms, 200 ms RFC 4733 digit%n", runs, delay.toMillis());
        System.out.println("time from the mixer call (or the digit's end) to the mode audible at the receiving "
                + "endpoint (first packet), ms");
        System.out.printf("%-48s %5s %8s %8s %8s %6s%n", "operation", "n", "median", "p90", "max", "miss");
        for (Map.Entry<String, List<Double>> en : ms.entrySet()) {
            List<Double> v = new ArrayList<>(en.getValue());
            long miss = v.stream().filter(x -> x < 0).count();
            v.removeIf(x -> x < 0);
            v.sort(null);
            System.out.printf("%-48s %5d %8.1f %8.1f %8.1f %6d%n", en.getKey(), v.size(), pct(v, 50), pct(v, 90),
                    v.isEmpty() ? Double.NaN : v.get(v.size() - 1), miss);
        }
        System.out.println("reproduce: cd <repo> && BENCH_NG_PORT=" + RtpengineDaemon.NG_PORT + " BENCH_MEDIA_MIN="
                + Integer.getInteger("callsup.test.rtpengine.media-min", 31000) + " bin/bench-media " + runs
                + " -Dbench.delay-ms=" + delay.toMillis()
                + "   (as root; needs bin/rtpengine-daemon and its chroot from bin/provision)");
    }

    static DtmfEvent nextFrom(LinkedBlockingQueue<DtmfEvent> q, String tag, Duration max)
            throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            DtmfEvent e = q.poll(20, TimeUnit.MILLISECONDS);
            if (e != null && e.sourceTag().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
    }

    static void record(Map<String, List<Double>> ms, String op, long t0, long t1) {
        ms.computeIfAbsent(op, k -> new ArrayList<>()).add(t1 < 0 || t0 == 0 ? -1.0 : (t1 - t0) / 1e6);
    }
}
