package io.callsup.testsupport;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A real Kamailio from the repository's kamailio/ config, pointed at the service under test. */
public class KamailioResource {

    public static final String HOST = "127.0.0.1";
    public static final int SIP_PORT = 25060;
    public static final int MC_PORT = 25070;
    public static final int RPC_PORT = 25080;
    /** SIPp playing an external client's carrier comes from here and needs no digest auth. */
    public static final int TRUNK_PORT = 25099;
    public static final String SECRET = "test-secret-kamailio";
    private static final Path RUN_DIR = Path.of("target", "kamailio-run").toAbsolutePath();

    private final Map<String, String> env = new HashMap<>();

    public Map<String, String> start(String dbUrl, int servicePort) {
        env.put("KAMAILIO_SIP_PORT", Integer.toString(SIP_PORT));
        env.put("KAMAILIO_MC_PORT", Integer.toString(MC_PORT));
        env.put("KAMAILIO_RPC_PORT", Integer.toString(RPC_PORT));
        env.put("KAMAILIO_SERVICE_URL", "http://127.0.0.1:" + servicePort);
        env.put("KAMAILIO_SECRET", SECRET);
        env.put("KAMAILIO_DB_URL", dbUrl);
        env.put("KAMAILIO_RTPENGINE_NG", RtpengineResource.ngAddress());
        env.put("KAMAILIO_TRUNK", HOST + ":" + TRUNK_PORT);
        env.put("KAMAILIO_RUN_DIR", RUN_DIR.toString());
        BinScript.run("kamailio-ctl", "stop", env, RUN_DIR);
        BinScript.run("kamailio-ctl", "start", env, RUN_DIR);
        return Map.of(
                "callsup.kamailio.rpc-url", "http://127.0.0.1:" + RPC_PORT + "/RPC",
                "callsup.kamailio.secret", SECRET);
    }

    public void stop() {
        if (!env.isEmpty()) {
            BinScript.run("kamailio-ctl", "stop", env, RUN_DIR);
        }
    }

    public static Path log() {
        return RUN_DIR.resolve("kamailio.log");
    }
}
