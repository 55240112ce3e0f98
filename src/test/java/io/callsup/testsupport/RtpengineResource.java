package io.callsup.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.Map;

/** A real rtpengine >= 26 daemon for the service under test, on ports of its own. */
public class RtpengineResource implements QuarkusTestResourceLifecycleManager {

    public static final int NG_PORT = 22310;
    public static final int DTMF_LOG_PORT = 22311;
    private static final Path RUN_DIR = Path.of("target", "rtpengine-quarkus").toAbsolutePath();
    private static final Map<String, String> ENV = Map.of(
            "RTPENGINE_NG_PORT", Integer.toString(NG_PORT),
            "RTPENGINE_PORT_MIN", "32000",
            "RTPENGINE_PORT_MAX", "32999",
            "RTPENGINE_DTMF_LOG_DEST", "127.0.0.1:" + DTMF_LOG_PORT,
            "RTPENGINE_RUN_DIR", RUN_DIR.toString());

    public static String ngAddress() {
        return "127.0.0.1:" + NG_PORT;
    }

    @Override
    public Map<String, String> start() {
        BinScript.run("rtpengine-daemon", "stop", ENV, RUN_DIR); // one left by a killed run
        BinScript.run("rtpengine-daemon", "start", ENV, RUN_DIR);
        return Map.of(
                "callsup.media.rtpengine", ngAddress(),
                "callsup.media.dtmf-log.port", Integer.toString(DTMF_LOG_PORT));
    }

    /** For failure tests: the daemon dies under a running service. */
    public static void stopDaemon() {
        BinScript.run("rtpengine-daemon", "stop", ENV, RUN_DIR);
    }

    public static void startDaemon() {
        BinScript.run("rtpengine-daemon", "start", ENV, RUN_DIR);
    }

    @Override
    public void stop() {
        stopDaemon();
    }
}
