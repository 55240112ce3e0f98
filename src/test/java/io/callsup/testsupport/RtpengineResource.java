package io.callsup.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real rtpengine >= 26 daemon for the service under test, on free ports. */
public class RtpengineResource {

    private static final Path RUN_DIR = Path.of("target", "rtpengine-quarkus").toAbsolutePath();
    private static final Map<String, String> ENV = new HashMap<>();
    // Tests and test resources live in different class loaders of one JVM: the running daemon's
    // environment travels as a system property (as in KamailioResource), so tests can crash,
    // freeze and restart exactly this daemon.
    private static final String ENV_PROPERTY = "callsup.test.rtpengine-env";

    public static String ngAddress() {
        return "127.0.0.1:" + TestPorts.get("rtpengine-ng");
    }

    public Map<String, String> start() {
        int ng = TestPorts.free();
        int dtmf = TestPorts.free();
        TestPorts.publish("rtpengine-ng", ng);
        ENV.put("RTPENGINE_NG_PORT", Integer.toString(ng));
        ENV.put("RTPENGINE_DTMF_LOG_DEST", "127.0.0.1:" + dtmf);
        ENV.put("RTPENGINE_RUN_DIR", RUN_DIR.toString());
        BinScript.run("rtpengine-daemon", "stop", ENV, RUN_DIR); // one left by a killed run
        startOnFreeMediaRange();
        publish();
        return Map.of(
                "callsup.media.rtpengine", ngAddress(),
                "callsup.media.dtmf-log.port", Integer.toString(dtmf));
    }

    /**
     * The script refuses a media range another rtpengine holds; try the next block then. The blocks
     * lie below the kernel's ephemeral range (32768+), where {@link TestPorts#free()} draws Kamailio's
     * and the service's ports: rtpengine binds media ports with SO_REUSEADDR, so a media port equal
     * to Kamailio's SIP port silently took its datagrams (a whole CI run of unanswered REGISTERs).
     * Also clear of the media tests' daemon (ng 22300, media 31000-31499) and the script's default
     * range (30000-30999).
     */
    private static void startOnFreeMediaRange() {
        IllegalStateException last = null;
        for (int block = 23000; block < 30000; block += 1000) {
            ENV.put("RTPENGINE_PORT_MIN", Integer.toString(block));
            ENV.put("RTPENGINE_PORT_MAX", Integer.toString(block + 999));
            try {
                BinScript.run("rtpengine-daemon", "start", ENV, RUN_DIR);
                return;
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    public void stop() {
        BinScript.run("rtpengine-daemon", "stop", ENV, RUN_DIR);
    }

    /** The pid of the running daemon (from the control script's pidfile). */
    public static long pid() {
        try {
            return Long.parseLong(Files.readString(RUN_DIR.resolve("rtpengine.pid")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("no rtpengine pidfile: is InfrastructureResource running?", e);
        }
    }

    /** Sends {@code signal} (e.g. STOP, CONT, KILL) to the running daemon. */
    public static void signal(String signal) {
        long pid = pid();
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed: "
                        + new String(p.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * SIGSTOP: the daemon answers nothing (ng, media) until {@link #thaw()}; datagrams queue in its
     * sockets. A slow or hung rtpengine, made real. Always thaw in a finally block.
     */
    public static void freeze() {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    public static void thaw() {
        signal("CONT");
    }

    /** True while the daemon named by the pid file is alive (a zombie counts as dead). */
    public static boolean running() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            return !state.equals("Z") && !state.equals("X");
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            return false;
        }
    }

    /** The daemon crashes: SIGKILL, then waits until the process is gone (its ports free again). */
    public static void crash() {
        long pid = pid();
        signal("KILL");
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
    }

    /** Starts the daemon again with the same ng port, media range and DTMF destination (no state). */
    public static void startInstance() {
        BinScript.run("rtpengine-daemon", "start", publishedEnv(), RUN_DIR);
    }

    /**
     * Starts the daemon again if it died, e.g. aborted by an earlier test (rtpengine 26.0.1.26
     * aborts in mix_buffer.c when stalled while mixing, design/rtpengine.md), so that one abort does
     * not fail every later test. Returns true if it had to; the dead daemon's log is kept as .old.
     */
    public static boolean ensureRunning() {
        boolean dead;
        try {
            dead = !running();
        } catch (UncheckedIOException | NumberFormatException noPidfile) {
            dead = true;
        }
        if (dead) {
            System.out.println("rtpengine was not running before this test; restarting it. " + deathNote());
            keepLog();
            startInstance();
        }
        return dead;
    }

    /** Null while the daemon runs; else why it died, as far as its log says (e.g. an assertion). */
    public static String deathNote() {
        try {
            if (ProcessHandle.of(pid()).map(ProcessHandle::isAlive).orElse(false)) {
                return null;
            }
        } catch (UncheckedIOException | NumberFormatException noPidfile) {
            // no pidfile: dead
        }
        try {
            var lines = Files.readAllLines(log());
            String last = lines.stream().filter(l -> l.contains("Assertion")).reduce((a, b) -> b)
                    .orElse(lines.isEmpty() ? "(empty log)" : lines.get(lines.size() - 1));
            return "rtpengine (pid file " + RUN_DIR.resolve("rtpengine.pid") + ") is dead; its log says: " + last;
        } catch (IOException e) {
            return "rtpengine is dead and has no log: " + e.getMessage();
        }
    }

    /** A dead daemon's log survives the next start (which rotates only one .old). */
    private static void keepLog() {
        try {
            if (Files.exists(log())) {
                Files.copy(log(), RUN_DIR.resolve("rtpengine.log.dead-" + System.currentTimeMillis()));
            }
        } catch (IOException e) {
            System.out.println("could not keep the dead rtpengine's log: " + e.getMessage());
        }
    }

    /** Log of the running daemon. */
    public static Path log() {
        return RUN_DIR.resolve("rtpengine.log");
    }

    private static void publish() {
        PublishedEnv.publish(ENV_PROPERTY, ENV);
    }

    private static Map<String, String> publishedEnv() {
        return PublishedEnv.read(ENV_PROPERTY, "rtpengine");
    }
}
