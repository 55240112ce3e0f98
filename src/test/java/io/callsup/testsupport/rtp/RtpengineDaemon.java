package io.callsup.testsupport.rtp;

import java.nio.file.Path;
import java.util.Map;

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

    public static void run(String action) {
        BinScript.run("rtpengine-daemon", action, Map.of(
                "RTPENGINE_NG_PORT", Integer.toString(NG_PORT),
                "RTPENGINE_PORT_MIN", Integer.toString(MEDIA_MIN),
                "RTPENGINE_PORT_MAX", Integer.toString(MEDIA_MIN + 499),
                "RTPENGINE_DTMF_LOG_DEST", "127.0.0.1:" + DTMF_LOG_PORT,
                "RTPENGINE_RUN_DIR", RUN_DIR.toString()), RUN_DIR);
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
