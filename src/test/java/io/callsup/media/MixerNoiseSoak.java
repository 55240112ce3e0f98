package io.callsup.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.callsup.model.SupervisionMode;
import io.callsup.testsupport.rtp.AudioQuality;
import io.callsup.testsupport.rtp.Capture;
import io.callsup.testsupport.rtp.FrameNoise;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.TestCall;

/**
 * Soak for the intermittent noise of issue 11: one supervised call held for a while, every 20 ms
 * frame each party receives measured ({@link FrameNoise}), and every 500 ms window measured as the
 * tone matrix does. Opt-in ({@code -Dcallsup.test.noise-soak.seconds=N}); the legs' codec, the
 * supervisor's codec and the mode are {@code -Dcallsup.test.noise-soak.legs/sup/mode} (default
 * G722 / PCMU / BARGE: the MixerG722Test row that failed), {@code .load=N} adds N busy threads in
 * this JVM (the test phones' own senders then run late, as in a loaded suite), {@code .calls=N}
 * runs N calls one after the other (each joins with a new timing relation between the phones'
 * senders and rtpengine's players). A noisy frame is printed with the packet it came in (RTP seq,
 * timestamp, arrival gap) and with the senders' late packets around it.
 * <p>
 * A diagnostic, not part of the suite (its name does not end in Test): run it with
 * {@code -Dtest=MixerNoiseSoak -Dcallsup.test.noise-soak.seconds=15}.
 */
class MixerNoiseSoak extends MediaTestBase {
    private static final double NOISY_FRAME_DB = -40;
    private static final double MIN_SNR_DB = 30;

    @Test
    void supervisedCallStaysClean() throws Exception {
        int seconds = Integer.getInteger("callsup.test.noise-soak.seconds", 0);
        Assumptions.assumeTrue(seconds > 0, "opt-in: -Dcallsup.test.noise-soak.seconds=N");
        String legs = System.getProperty("callsup.test.noise-soak.legs", "G722");
        String sup = System.getProperty("callsup.test.noise-soak.sup", "PCMU");
        SupervisionMode mode = SupervisionMode.valueOf(System.getProperty("callsup.test.noise-soak.mode", "BARGE"));
        int calls = Integer.getInteger("callsup.test.noise-soak.calls", 1);
        List<Thread> load = startLoad(Integer.getInteger("callsup.test.noise-soak.load", 0));
        int noisyWindows = 0;
        int noisyFrames = 0;
        try {
            for (int i = 0; i < calls; i++) {
                try (TestCall c = new TestCall(ng, daemon, legs, legs); Phone s = dialIn(c, SUP1_HZ, sup)) {
                    mixer.activate(s.ref(), SupervisionMode.SPY);
                    if (mode != SupervisionMode.SPY) {
                        mixer.switchMode(s.ref(), SupervisionMode.SPY, mode, false);
                    }
                    Thread.sleep(1000);
                    Map<RtpEndpoint, double[]> row = row(c, s, mode);
                    Map<RtpEndpoint, Integer> marks = new java.util.LinkedHashMap<>();
                    Map<RtpEndpoint, Integer> sentMarks = new java.util.LinkedHashMap<>();
                    for (RtpEndpoint ep : row.keySet()) {
                        marks.put(ep, ep.mark());
                        sentMarks.put(ep, ep.sentCount());
                    }
                    long t0 = System.nanoTime();
                    Thread.sleep(seconds * 1000L);
                    load.forEach(Thread::interrupt); // the analysis (ffmpeg) need not be starved
                    for (Map.Entry<RtpEndpoint, double[]> e : row.entrySet()) {
                        int[] counts = analyse("call " + (i + 1) + " [" + legs + " legs, " + sup + " sup, " + mode + "] ",
                                e.getKey(), e.getValue(), marks.get(e.getKey()), t0, row.keySet(), sentMarks);
                        noisyWindows += counts[0];
                        noisyFrames += counts[1];
                    }
                    mixer.remove(s.ref());
                    load.forEach(Thread::interrupt);
                    load = startLoad(Integer.getInteger("callsup.test.noise-soak.load", 0));
                }
            }
        } finally {
            load.forEach(Thread::interrupt);
        }
        System.out.printf(Locale.ROOT, "noise soak: %d calls x %d s: %d noisy 500 ms windows, %d noisy 20 ms frames%n",
                calls, seconds, noisyWindows, noisyFrames);
        assertThat(noisyWindows).as("500 ms windows below %s dB", MIN_SNR_DB).isZero();
    }

    /** Returns {noisy windows, noisy frames} for one receiver. */
    private static int[] analyse(String at, RtpEndpoint ep, double[] want, int mark, long t0,
            java.util.Set<RtpEndpoint> all, Map<RtpEndpoint, Integer> sentMarks) throws InterruptedException {
        List<RtpEndpoint.Rx> rx = ep.packetsSince(mark);
        Capture cap = ep.capture(mark, 0, rx.size());
        short[] audio = cap.audio();
        int rate = cap.rate();
        int perPacket = rate / 50;
        int windows = 0;
        int win = 25 * perPacket;
        for (int o = 0; o + win <= audio.length; o += win) {
            AudioQuality q = AudioQuality.measure(java.util.Arrays.copyOfRange(audio, o, o + win), rate, 0, want);
            for (double hz : want) {
                if (q.snr(hz) < MIN_SNR_DB) {
                    windows++;
                    System.out.printf(Locale.ROOT, "%s%s: NOISY WINDOW at %.2f s: %s%n", at, ep.name(),
                            (double) o / rate, q);
                    break;
                }
            }
        }
        List<FrameNoise.Frame> frames = FrameNoise.frames(audio, rate, want);
        int noisy = 0;
        long maxGap = 0;
        int seqJumps = 0;
        int tsJumps = 0;
        for (int k = 1; k < rx.size(); k++) {
            maxGap = Math.max(maxGap, rx.get(k).nanos() - rx.get(k - 1).nanos());
            if (rx.get(k).ssrc() == rx.get(k - 1).ssrc()) {
                if (((rx.get(k).seq() - rx.get(k - 1).seq()) & 0xffff) != 1) {
                    seqJumps++;
                }
                long dts = (rx.get(k).ts() - rx.get(k - 1).ts()) & 0xffffffffL;
                if (dts != 160 && dts != 960) {
                    tsJumps++;
                }
            }
        }
        List<String> details = new ArrayList<>();
        for (FrameNoise.Frame f : frames) {
            if (f.residualDb() > NOISY_FRAME_DB) {
                noisy++;
                int k = Math.min(f.index(), rx.size() - 1);
                RtpEndpoint.Rx r = rx.get(k);
                long gap = k > 0 ? rx.get(k).nanos() - rx.get(k - 1).nanos() : 0;
                details.add(String.format(Locale.ROOT, "  frame %d (%.3f s after t0) seq %d ts %d gap %.1f ms amps %s resid %.1f dBFS",
                        f.index(), (r.nanos() - t0) / 1e9, r.seq(), r.ts(), gap / 1e6,
                        java.util.Arrays.toString(java.util.Arrays.stream(f.amplitudes()).map(Math::rint).toArray()),
                        f.residualDb()));
            }
        }
        System.out.printf(Locale.ROOT, "%s%s: %d packets, %d frames, %d noisy (> %.0f dBFS), %d noisy windows, "
                + "max arrival gap %.1f ms, seq jumps %d, ts jumps %d%n", at, ep.name(), rx.size(), frames.size(), noisy,
                NOISY_FRAME_DB, windows, maxGap / 1e6, seqJumps, tsJumps);
        details.stream().limit(Boolean.getBoolean("callsup.test.noise-soak.verbose") ? 40 : 6).forEach(System.out::println);
        List<Long> own = ep.sendTimesSince(sentMarks.get(ep));
        long late25 = 0;
        long late45 = 0;
        long maxSend = 0;
        for (int k = 1; k < own.size(); k++) {
            long g = own.get(k) - own.get(k - 1);
            late25 += g > 25_000_000L ? 1 : 0;
            late45 += g > 45_000_000L ? 1 : 0;
            maxSend = Math.max(maxSend, g);
        }
        System.out.printf(Locale.ROOT, "%s%s sends: %d packets, %d gaps > 25 ms, %d > 45 ms, max %.1f ms%n", at, ep.name(),
                own.size(), late25, late45, maxSend / 1e6);
        if (noisy > 0 && Boolean.getBoolean("callsup.test.noise-soak.verbose")) {
            for (RtpEndpoint other : all) {
                List<Long> sent = other.sendTimesSince(sentMarks.get(other));
                StringBuilder late = new StringBuilder();
                for (int k = 1; k < sent.size(); k++) {
                    long g = sent.get(k) - sent.get(k - 1);
                    if (g > 25_000_000L) {
                        late.append(String.format(Locale.ROOT, " %.3fs:%.0fms", (sent.get(k) - t0) / 1e9, g / 1e6));
                    }
                }
                System.out.println("  sender " + other.name() + " gaps > 25 ms:" + late);
            }
        }
        return new int[] {windows, noisy};
    }

    private static List<Thread> startLoad(int threads) {
        List<Thread> out = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (!Thread.currentThread().isInterrupted()) {
                    x += System.nanoTime() % 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            }, "noise-soak-load-" + i);
            t.setDaemon(true);
            t.start();
            out.add(t);
        }
        return out;
    }
}
