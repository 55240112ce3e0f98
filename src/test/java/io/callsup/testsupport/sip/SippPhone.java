package io.callsup.testsupport.sip;

import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.rtp.Sdp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SIPp process playing a phone against the test Kamailio. Media is not SIPp's business: the
 * scenario's SDP points at a Java RTP endpoint, and the SDP the phone receives is read back from
 * SIPp's message trace so that endpoint knows where to send.
 */
public final class SippPhone implements AutoCloseable {

    private static final Path DIR = Path.of("target", "sipp").toAbsolutePath();
    private static final Path SCENARIOS = Path.of("src", "test", "resources", "sipp").toAbsolutePath();
    // SIPp leaves retransmission state on its port, and Kamailio keeps a phone's registered contact
    // (ip:port) after the phone is gone: fresh ports per phone avoid cross-talk between tests.
    private static final AtomicInteger NEXT_PORT = new AtomicInteger((int) (ProcessHandle.current().pid() % 20) * 150);
    private static final Pattern FINAL = Pattern.compile("FINAL (\\d{3}) ?(.*)");

    private final String name;
    private final Process process;
    private final Path messages;
    private final Path log;
    private final Path out;
    private final int port;

    private SippPhone(String name, Process process, Path messages, Path log, Path out, int port) {
        this.name = name;
        this.process = process;
        this.messages = messages;
        this.log = log;
        this.out = out;
        this.port = port;
    }

    // A test that fails half-way must not leave phones holding ports for the next one.
    private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
    }

    private static volatile Path coarseShim;

    /**
     * From now on every phone this JVM starts polls its sockets every 20 ms instead of every 1 ms
     * (src/test/c/sipp_coarse_poll.c, built here with gcc into target/): SIPp 3.6 wakes 1,000 times
     * a second even when idle, about 2 % of a core per process here, so the 75 phones of a soak
     * took 1-1.6 of the host's 2 cores and rtpengine stopped answering for seconds. Messages still
     * wake SIPp at once; only its timers (pauses, retransmissions) become 20 ms coarse. For tests
     * holding many phones open; fails if the shim cannot be built.
     */
    public static synchronized void coarsePolling() {
        if (coarseShim != null) {
            return;
        }
        Path src = Path.of("src", "test", "c", "sipp_coarse_poll.c").toAbsolutePath();
        Path so = Path.of("target", "sipp_coarse_poll.so").toAbsolutePath();
        try {
            Files.createDirectories(so.getParent());
            Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-o", so.toString(), src.toString(), "-ldl")
                    .redirectErrorStream(true).start();
            String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                throw new IllegalStateException("gcc could not build the SIPp shim (bin/provision installs gcc): " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("gcc could not build the SIPp shim (bin/provision installs gcc)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        coarseShim = so;
    }

    /**
     * Where phones' SIP ports come from: clear of the SIPp media blocks (12000-19999, {@link #mediaPort}),
     * the test rtpengines' media ranges (23000-31999, where a daemon may bind a port between our probe
     * and SIPp's bind: a soak lost a join to that at 13:53 UTC on 2026-12-02, "Unable to bind main
     * socket") and the kernel's ephemeral range. About 4,000 phones before the sequence wraps.
     */
    private static final int[][] SIP_PORT_RANGES = {{20000, 23000}, {32000, 32768}, {ephemeralEnd(), 65536}};

    private static int ephemeralEnd() {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return Math.max(Integer.parseInt(range[1]) + 1, 32768);
        } catch (IOException | RuntimeException unknown) {
            return 61000;
        }
    }

    private static int nthSipPort(int n) {
        int total = 0;
        for (int[] r : SIP_PORT_RANGES) {
            total += Math.max(0, r[1] - r[0]);
        }
        int i = Math.floorMod(n, total);
        for (int[] r : SIP_PORT_RANGES) {
            int size = Math.max(0, r[1] - r[0]);
            if (i < size) {
                return r[0] + i;
            }
            i -= size;
        }
        throw new IllegalStateException("unreachable");
    }

    /** A UDP port on loopback that nothing is bound to right now. */
    public static int freshPort() {
        while (true) {
            int port = nthSipPort(NEXT_PORT.getAndAdd(2));
            if (udpFree(port, 1)) { // else taken, e.g. by a phone of an aborted run: try the next one
                return port;
            }
        }
    }

    /** Starts {@code scenario} from {@code port} with the given {@code -set} variables and SIPp options. */
    public static SippPhone start(String name, String scenario, int port, Map<String, String> vars, String... options) {
        return start(name, scenario, port, KamailioResource.sipHost() + ":" + KamailioResource.sipPort(), vars, options);
    }

    /**
     * As above against another SIP server ({@code target} "ip:port"), e.g. the Asterisk of
     * bin/bench-vs-asterisk; an absolute {@code scenario} path is used as it is.
     */
    public static SippPhone start(String name, String scenario, int port, String target, Map<String, String> vars,
                                  String... options) {
        try {
            Files.createDirectories(DIR);
            String stem = name + "-" + port + "-" + System.nanoTime();
            Path messages = DIR.resolve(stem + ".msg");
            Path log = DIR.resolve(stem + ".log");
            Path out = DIR.resolve(stem + ".out");
            List<String> cmd = new ArrayList<>(List.of("sipp", "-sf", SCENARIOS.resolve(scenario).toString(),
                    "-m", "1", "-i", io.callsup.testsupport.TestHosts.phone(), "-p", Integer.toString(port), "-nostdin",
                    "-trace_msg", "-message_file", messages.toString(),
                    "-trace_logs", "-log_file", log.toString(),
                    "-trace_err", "-error_file", DIR.resolve(stem + ".err").toString()));
            vars.forEach((k, v) -> {
                cmd.add("-set");
                cmd.add(k);
                cmd.add(v);
            });
            cmd.addAll(List.of(options));
            if (!List.of(options).contains("-mp")) {
                cmd.add("-mp");
                cmd.add(mediaPort());
            }
            cmd.add(target);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            Path shim = coarseShim;
            if (shim != null) {
                pb.environment().put("LD_PRELOAD", shim.toString());
            }
            Process p = pb.start();
            RUNNING.add(p);
            p.onExit().thenRun(() -> RUNNING.remove(p));
            return new SippPhone(name, p, messages, log, out, port);
        } catch (IOException e) {
            throw new IllegalStateException("could not start sipp for " + name, e);
        }
    }

    public static Map<String, String> vars(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    public int port() {
        return port;
    }

    /** Waits for the scenario to finish; SIPp exits 0 only when every expected message came. */
    public int awaitExit(Duration max) throws InterruptedException {
        if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + ": sipp did not finish within " + max + "\n" + trace());
        }
        return process.exitValue();
    }

    public boolean running() {
        return process.isAlive();
    }

    /** The SDP in the first received message that carries one (INVITE offer or 200 answer). */
    public Sdp awaitReceivedSdp(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> sdp = receivedSdp();
            if (sdp.isPresent()) {
                return Sdp.parse(sdp.get());
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(name + ": no SDP received within " + max + "\n" + trace());
    }

    private Optional<String> receivedSdp() {
        String text = read(messages);
        for (String block : text.split("-{20,}")) {
            int received = block.indexOf("message received");
            if (received < 0) {
                continue;
            }
            int v = block.indexOf("\nv=0");
            if (v >= 0 && block.contains("m=audio")) {
                return Optional.of(block.substring(v + 1).strip().replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n");
            }
        }
        return Optional.empty();
    }

    /** The final response this phone received to its INVITE, as "code reason", or empty. */
    public Optional<String> inviteAnswer() {
        String answer = null;
        for (String block : read(messages).split("-{20,}")) {
            int at = block.indexOf("\nSIP/2.0 ");
            if (block.contains("message received") && at >= 0 && block.matches("(?s).*\nCSeq: *\\d+ INVITE.*")) {
                String status = block.substring(at + 9, block.indexOf('\n', at + 1)).strip();
                if (!status.startsWith("1") && !status.startsWith("407") && !status.startsWith("401")) {
                    answer = status;
                }
            }
        }
        return Optional.ofNullable(answer);
    }

    /** The final response a scenario logged as "FINAL <code> <reason>" (uac_expect.xml). */
    public Optional<String[]> finalResponse() {
        Matcher m = FINAL.matcher(read(log));
        return m.find() ? Optional.of(new String[]{m.group(1), m.group(2).strip()}) : Optional.empty();
    }

    /** Distinct Call-IDs of received requests whose start line begins with {@code startLine} (e.g. "INVITE "). */
    public java.util.Set<String> receivedCallIds(String startLine) {
        java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        Pattern callId = Pattern.compile("(?im)^(?:Call-ID|i)\\s*:\\s*(\\S+)");
        for (String block : read(messages).split("-{20,}")) {
            int received = block.indexOf("message received");
            if (received >= 0) {
                int nl = block.indexOf('\n', received);
                String msg = nl < 0 ? "" : block.substring(nl + 1).stripLeading();
                Matcher m = callId.matcher(msg);
                if (msg.startsWith(startLine) && m.find()) {
                    ids.add(m.group(1));
                }
            }
        }
        return ids;
    }

    /** Bodies of the received requests whose start line begins with {@code startLine} (e.g. "NOTIFY "), in order. */
    public List<String> receivedBodies(String startLine) {
        List<String> bodies = new ArrayList<>();
        for (String block : read(messages).split("-{20,}")) {
            int received = block.indexOf("message received");
            if (received < 0) {
                continue;
            }
            int nl = block.indexOf('\n', received);
            String msg = nl < 0 ? "" : block.substring(nl + 1).stripLeading().replace("\r\n", "\n");
            int blank = msg.indexOf("\n\n");
            if (msg.startsWith(startLine) && blank >= 0) {
                bodies.add(msg.substring(blank + 2).strip());
            }
        }
        return bodies;
    }

    /** True once this phone has sent a request whose start line begins with {@code startLine} (e.g. "CANCEL "). */
    public boolean hasSent(String startLine) {
        for (String block : read(messages).split("-{20,}")) {
            int sent = block.indexOf("message sent");
            if (sent >= 0) {
                int nl = block.indexOf('\n', sent);
                if (nl >= 0 && block.substring(nl + 1).stripLeading().startsWith(startLine)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** SIPp's message trace (-trace_msg): each message under a "----- date time.micros" line. */
    public Path messageTrace() {
        return messages;
    }

    /** What the scenario logged with {@code <log>} actions. */
    public String log() {
        return read(log);
    }

    public String trace() {
        return "--- " + name + " sipp output\n" + tail(read(out)) + "\n--- messages\n" + tail(read(messages));
    }

    private static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * SIPp binds an (unused) RTP echo socket at -mp, default 6000, and gives up after 100 tries two
     * ports apart: a benchmark's 200 phones, or 25 starting at once, ran out there. Each phone gets
     * its own 4 ports (RTP/RTCP, audio/video) from a range clear of the SIP ports (ephemeral), the
     * test rtpengines (23000-31999) and Asterisk's RTP (26000-26999). The range wraps (a 10-minute
     * soak starts about 6,000 phones), so a block still held by a long-lived phone (an agent up
     * since the start) is skipped: SIPp exits at once when its port is taken.
     */
    private static String mediaPort() {
        while (true) {
            int base = 12000 + Math.floorMod(MEDIA_PORTS.getAndAdd(4), 7996);
            if (udpFree(base, 4)) {
                return Integer.toString(base);
            }
        }
    }

    private static boolean udpFree(int first, int count) {
        java.util.List<java.net.DatagramSocket> probes = new java.util.ArrayList<>();
        try {
            java.net.InetAddress host = java.net.InetAddress.getByName(io.callsup.testsupport.TestHosts.phone());
            for (int p = first; p < first + count; p++) {
                probes.add(new java.net.DatagramSocket(p, host));
            }
            return true;
        } catch (IOException taken) {
            return false;
        } finally {
            probes.forEach(java.net.DatagramSocket::close);
        }
    }

    private static final java.util.concurrent.atomic.AtomicInteger MEDIA_PORTS = new java.util.concurrent.atomic.AtomicInteger();
}
