package io.callsup.media.bench;

import static io.callsup.model.SupervisionMode.WHISPER;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.callsup.media.NgAddress;
import io.callsup.media.NgClient;
import io.callsup.media.RtpengineMixer;
import io.callsup.supervision.port.MediaMixer.MediaRef;
import io.callsup.supervision.port.MediaMixer.Prepared;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.Sdp;
import io.callsup.testsupport.rtp.TestCall;
import io.vertx.core.Vertx;

/**
 * Benchmark, not a test ({@code bin/bench-capacity}): how many whisper-supervised calls one
 * rtpengine carries on one core. The daemon ({@code bin/rtpengine-daemon}, started by the script,
 * all its threads pinned to one CPU with {@code taskset -a}) gets calls set up exactly as Kamailio
 * and {@link RtpengineMixer} do it (offer/answer, then the supervisor dialled in and activated in
 * whisper); the test phones (this JVM, pinned to the other CPU) send 20 ms G.711 tones. Loss is what
 * the receiving phones miss: sequence gaps over expected packets, all streams of all calls (agent:
 * client + supervisor mix, client: agent, supervisor: agent + client mix). The ramp adds calls in
 * steps and measures each step for a while; the highest step under the loss limit is then held for
 * the confirmation window. The daemon's pid must be the same and answer pings at the end.
 */
public class CapacityBench {

    private static final double SUP_HZ = 1700;

    record Step(int calls, double seconds, long expected, long received, double rtpengineCorePct, double load1,
                long rtpengineRssKib) {
        double lossPct() {
            return expected == 0 ? 100 : 100.0 * (expected - received) / expected;
        }
    }

    @Test
    void capacity() throws Exception {
        String ngAddr = System.getProperty("bench.ng", "127.0.0.1:22360");
        long pid = Long.parseLong(Files.readString(Path.of(System.getProperty("bench.pidfile"))).trim());
        int start = Integer.getInteger("bench.start", 20);
        int stepCalls = Integer.getInteger("bench.step", 20);
        int max = Integer.getInteger("bench.max-calls", 300);
        Duration stepTime = Duration.ofSeconds(Integer.getInteger("bench.step-seconds", 30));
        Duration confirm = Duration.ofSeconds(Integer.getInteger("bench.confirm-seconds", 300));
        double limitPct = Double.parseDouble(System.getProperty("bench.loss-limit-pct", "0.1"));
        Vertx vertx = Vertx.vertx();
        NgAddress d = NgAddress.parse(ngAddr);
        NgClient ng = new NgClient(vertx, List.of(d), Duration.ofMillis(1000), 2);
        RtpengineMixer mixer = new RtpengineMixer(ng, Duration.ofSeconds(5), Duration.ofMillis(50),
                new NgAddress("127.0.0.1", 9), 1000);
        List<TestCall> calls = new ArrayList<>();
        List<RtpEndpoint> receivers = new ArrayList<>();
        List<Step> ramp = new ArrayList<>();
        Step confirmed = null;
        int best = 0;
        String stopReason = "reached bench.max-calls=" + max;
        try {
            for (int n = start; n <= max; n += stepCalls) {
                while (calls.size() < n) {
                    addCall(ng, d, mixer, calls, receivers);
                }
                Step s = measure(n, receivers, stepTime, pid);
                ramp.add(s);
                System.out.println("capacity ramp: " + fmt(s));
                if (!mixer.alive(d.toString()) || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    stopReason = "rtpengine stopped answering at " + n + " calls";
                    break;
                }
                if (s.lossPct() >= limitPct) {
                    stopReason = String.format("loss %.3f %% >= %.1f %% at %d calls", s.lossPct(), limitPct, n);
                    break;
                }
                best = n;
            }
            if (best > 0) {
                // Down to the best level: hang up the supervisors and calls above it (newest first).
                while (calls.size() > best) {
                    TestCall c = calls.remove(calls.size() - 1);
                    mixer.callEnded(c.callId); // deletes the call in rtpengine, as the service does at call end
                    for (int k = 0; k < 3; k++) {
                        receivers.remove(receivers.size() - 1).close();
                    }
                }
                Thread.sleep(2000);
                confirmed = measure(best, receivers, confirm, pid);
                System.out.println("capacity confirmation: " + fmt(confirmed));
            }
        } finally {
            boolean alive = mixer.alive(d.toString());
            for (TestCall c : calls) {
                try {
                    mixer.callEnded(c.callId);
                } catch (RuntimeException e) {
                    // the daemon is stopped by the script anyway
                }
            }
            receivers.forEach(RtpEndpoint::close);
            ng.close();
            vertx.close();
            boolean samePid = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            System.out.println("capacity: ramp stopped: " + stopReason);
            System.out.printf("capacity: rtpengine pid %d %s and %s ng ping at the end%n", pid,
                    samePid ? "still the same, alive," : "GONE (aborted?)", alive ? "answered" : "did NOT answer");
            if (confirmed != null) {
                System.out.printf("capacity RESULT: %d whisper-supervised calls on one core at %.3f %% loss over %.0f s "
                        + "(limit %.1f %%): %s; no abort: %s%n", confirmed.calls(), confirmed.lossPct(),
                        confirmed.seconds(), limitPct, confirmed.lossPct() < limitPct ? "PASSED" : "FAILED",
                        samePid && alive);
            } else {
                System.out.println("capacity RESULT: no level passed (even " + start + " calls lost packets)");
            }
        }
        org.assertj.core.api.Assertions.assertThat(confirmed).as("a level passed the ramp").isNotNull();
    }

    /** One call A-C anchored as Kamailio anchors it, plus a supervisor dialled in and whispering. */
    private static void addCall(NgClient ng, NgAddress d, RtpengineMixer mixer, List<TestCall> calls,
            List<RtpEndpoint> receivers) throws Exception {
        TestCall c = new TestCall(ng, d, "PCMU");
        RtpEndpoint sup = new RtpEndpoint("sup", SUP_HZ);
        Prepared p = mixer.prepareDialIn(new MediaRef(c.callId, null, c.agentTag, c.clientTag,
                "sup-" + UUID.randomUUID().toString().substring(0, 8)), Sdp.make(sup.port(), null, "PCMU",
                "telephone-event"));
        Sdp ans = Sdp.parse(p.sdp());
        sup.connect(ans, ans.pt("PCMU"));
        mixer.activate(p.ref(), WHISPER);
        for (RtpEndpoint e : List.of(c.agent, c.client, sup)) {
            e.keepPackets(false); // counted only: a 5-minute run must not hold every packet
            receivers.add(e);
        }
        calls.add(c);
    }

    private static Step measure(int n, List<RtpEndpoint> receivers, Duration window, long pid) throws Exception {
        Thread.sleep(2000); // the newest calls' first packets and mixer start-up are not steady state
        receivers.forEach(RtpEndpoint::resetSequences);
        long t0 = cpuTicks(pid);
        long s0 = System.nanoTime();
        double loadBefore = load1();
        Thread.sleep(window.toMillis());
        long expected = 0;
        long received = 0;
        for (RtpEndpoint e : receivers) {
            long[] c = e.sequenceCounts();
            expected += c[0];
            received += c[1];
        }
        double secs = (System.nanoTime() - s0) / 1e9;
        double corePct = (cpuTicks(pid) - t0) / 100.0 / secs * 100;
        return new Step(n, secs, expected, received, corePct, (loadBefore + load1()) / 2, rssKib(pid));
    }

    private static String fmt(Step s) {
        return String.format("%d calls (%d streams received), %.0f s: %d of %d packets missing = %.3f %% loss; "
                + "rtpengine %.0f %% of its core, RSS %d MiB; load average %.2f", s.calls(), s.calls() * 3,
                s.seconds(), s.expected() - s.received(), s.expected(), s.lossPct(), s.rtpengineCorePct(),
                s.rtpengineRssKib() / 1024, s.load1());
    }

    /** utime + stime of all the daemon's threads (/proc/PID/stat), clock ticks (100 per s). */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception gone) {
            return 0;
        }
    }

    static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception gone) {
            // exited
        }
        return 0;
    }

    static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }
}
