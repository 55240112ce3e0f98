package io.callsup.testsupport;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A real rtpengine >= 26 daemon for the service under test, on free ports. */
public class RtpengineResource {

    private static final Path RUN_DIR = Path.of("target", "rtpengine-quarkus").toAbsolutePath();
    private static final Map<String, String> ENV = new HashMap<>();

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
