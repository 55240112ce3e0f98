package io.callsup.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real rtpengine >= 26 daemon for the service under test, on free ports. */
public class RtpengineResource {

    private static final Path RUN_DIR = Path.of("target", "rtpengine-quarkus").toAbsolutePath();
    private static final Map<String, String> ENV = new HashMap<>();

    public static String ngAddress() {
        return "127.0.0.1:" + TestPorts.get("rtpengine-ng");
    }

    /** The daemon's pid, from the pid file bin/rtpengine-daemon writes (readable from any class loader). */
    public static long pid() {
        try {
            return Long.parseLong(Files.readString(RUN_DIR.resolve("rtpengine.pid")).strip());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("no pid of the test rtpengine in " + RUN_DIR, e);
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

    /** True while the daemon named by the pid file is alive (not a zombie). */
    public static boolean running() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            return !state.equals("Z") && !state.equals("X");
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }

    /**
     * Starts the daemon again, on the same ng port, DTMF log port and media block, if it died (a test
     * that crashes rtpengine must not take the following test classes down with it). Returns whether
     * it had to. The calls it held are gone; later tests make their own.
     */
    public static boolean restartIfDead() {
        if (running()) {
            return false;
        }
        Map<String, String> env = new HashMap<>();
        for (String key : new String[] {"RTPENGINE_NG_PORT", "RTPENGINE_DTMF_LOG_DEST", "RTPENGINE_RUN_DIR",
                "RTPENGINE_PORT_MIN", "RTPENGINE_PORT_MAX"}) {
            String value = System.getProperty("callsup.test.env." + key);
            if (value == null) {
                throw new IllegalStateException("rtpengine start environment not published: " + key);
            }
            env.put(key, value);
        }
        BinScript.run("rtpengine-daemon", "start", env, RUN_DIR);
        return true;
    }

    private static void signal(String sig) {
        long pid = pid();
        try {
            Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectErrorStream(true).start();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kill -" + sig + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
        // For restartIfDead(), which runs in the tests' class loader (system properties are shared).
        ENV.forEach((k, v) -> System.setProperty("callsup.test.env." + k, v));
        return Map.of(
                "callsup.media.rtpengine", ngAddress(),
                "callsup.media.dtmf-log.port", Integer.toString(dtmf));
    }

    /** The script refuses a media range another rtpengine holds; try the next block then. */
    private static void startOnFreeMediaRange() {
        IllegalStateException last = null;
        for (int block = 40000; block < 60000; block += 1000) {
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
}
