package io.callsup.testsupport.rtp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.callsup.testsupport.BinScript;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the project's {@code bin/rtpengine-daemon} (repo root = working directory, else
 * {@code $CALLSUP_BIN}) on the test ports. As a JUnit extension it starts one daemon per test run
 * and stops it when the run ends.
 */
public final class RtpengineDaemon implements BeforeAllCallback {
    // Overridable so that two worktrees can run media tests on one machine at the same time.
    public static final int NG_PORT = Integer.getInteger("callsup.test.rtpengine.ng-port", 22300);
    public static final int DTMF_LOG_PORT = NG_PORT + 1;
    private static final int MEDIA_MIN = Integer.getInteger("callsup.test.rtpengine.media-min", 31000);
    public static final String NG_ADDRESS = "127.0.0.1:" + NG_PORT;
    private static final Path RUN_DIR = Path.of("target", "rtpengine-run").toAbsolutePath();
    /**
     * Nice value given to a test daemon after start ("" = leave it). On a shared, overloaded host a
     * daemon stalled for about 60 ms while mixing aborts (rtpengine 26.0.1.26, mix_buffer.c:83, see
     * design/rtpengine.md), which kills every later media test of the run; a higher priority keeps
     * the test daemon from being starved. It does not fix that bug.
     */
    private static final String NICE = System.getProperty("callsup.test.rtpengine.nice", "-10");

    /** The run's shared daemon. */
    public static final Instance SHARED = new Instance(NG_PORT, MEDIA_MIN, RUN_DIR);

    /**
     * One daemon started through {@code bin/rtpengine-daemon}: ng on 127.0.0.1:{@code ngPort}, DTMF
     * log to {@code ngPort + 1}, media ports {@code mediaMin} to {@code mediaMin + 499}.
     */
    public record Instance(int ngPort, int mediaMin, Path runDir) {
        public String ngAddress() {
            return "127.0.0.1:" + ngPort;
        }

        public int dtmfLogPort() {
            return ngPort + 1;
        }

        public void run(String action) {
            BinScript.run("rtpengine-daemon", action, Map.of(
                    "RTPENGINE_NG_PORT", Integer.toString(ngPort),
                    "RTPENGINE_PORT_MIN", Integer.toString(mediaMin),
                    "RTPENGINE_PORT_MAX", Integer.toString(mediaMin + 499),
                    "RTPENGINE_DTMF_LOG_DEST", "127.0.0.1:" + dtmfLogPort(),
                    "RTPENGINE_RUN_DIR", runDir.toString()), runDir);
            if (("start".equals(action) || "restart".equals(action)) && !NICE.isBlank()) {
                renice();
            }
        }

        /** Every thread of the daemon: nice is per thread, and {@code renice -p PID} changes only the main one. */
        private void renice() {
            try {
                String pid = Files.readString(runDir.resolve("rtpengine.pid")).trim();
                List<String> cmd = new java.util.ArrayList<>(List.of("renice", "-n", NICE, "-p"));
                try (var tasks = Files.list(Path.of("/proc", pid, "task"))) {
                    tasks.forEach(t -> cmd.add(t.getFileName().toString()));
                }
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(runDir.resolve("control.out").toFile()))
                        .start();
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                // best effort: the daemon runs, only at normal priority
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A second daemon for a test that may crash its own (ng port + 10, the 500 media ports after the
     * shared daemon's, run dir target/rtpengine-run-spare). The test starts and stops it.
     */
    public static Instance spare() {
        return new Instance(NG_PORT + 10, MEDIA_MIN + 500, Path.of("target", "rtpengine-run-spare").toAbsolutePath());
    }

    public static void run(String action) {
        SHARED.run(action);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(RtpengineDaemon.class, k -> {
                    run("stop"); // a daemon left by a killed run
                    run("start");
                    return new Stopper();
                }, Stopper.class);
    }

    static final class Stopper implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            run("stop");
        }
    }
}
