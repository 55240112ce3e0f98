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
