package io.callsup.testsupport.rtp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the project's {@code bin/rtpengine-daemon} (repo root = working directory, else
 * {@code $CALLSUP_BIN}) on the test ports. As a JUnit extension it starts one daemon per test run
 * and stops it when the run ends.
 */
public final class RtpengineDaemon implements BeforeAllCallback {
    public static final int NG_PORT = 22300;
    public static final int DTMF_LOG_PORT = 22301;
    public static final String NG_ADDRESS = "127.0.0.1:" + NG_PORT;

    public static Path script() {
        Path local = Path.of("bin", "rtpengine-daemon").toAbsolutePath();
        if (Files.isExecutable(local)) {
            return local;
        }
        String bin = System.getenv("CALLSUP_BIN");
        if (bin != null && Files.isExecutable(Path.of(bin, "rtpengine-daemon"))) {
            return Path.of(bin, "rtpengine-daemon");
        }
        throw new IllegalStateException("no executable bin/rtpengine-daemon under " + Path.of("").toAbsolutePath()
                + " and CALLSUP_BIN (" + bin + ") has none either");
    }

    public static void run(String action) {
        Path runDir = Path.of("target", "rtpengine-run").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(script().toString(), action);
        Map<String, String> env = pb.environment();
        env.put("RTPENGINE_NG_PORT", Integer.toString(NG_PORT));
        env.put("RTPENGINE_PORT_MIN", "31000");
        env.put("RTPENGINE_PORT_MAX", "31499");
        env.put("RTPENGINE_DTMF_LOG_DEST", "127.0.0.1:" + DTMF_LOG_PORT);
        env.put("RTPENGINE_RUN_DIR", runDir.toString());
        pb.redirectErrorStream(true);
        try {
            Files.createDirectories(runDir);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(runDir.resolve("control.out").toFile()));
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("rtpengine-daemon " + action + " hung");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("rtpengine-daemon " + action + " exited " + p.exitValue() + ", see "
                        + runDir.resolve("control.out"));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
