package io.callsup.testsupport;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A real Kamailio from the repository's kamailio/ config, pointed at the service under test. */
public class KamailioResource {

    public static final String HOST = "127.0.0.1";
    public static final String SECRET = "test-secret-kamailio";
    private static final Path RUN_DIR = Path.of("target", "kamailio-run").toAbsolutePath();

    private final Map<String, String> env = new HashMap<>();

    /** Phones send here. */
    public static int sipPort() {
        return TestPorts.get("kamailio-sip");
    }

    /** SIPp playing an outside client's carrier sends from here and needs no digest auth. */
    public static int trunkPort() {
        return TestPorts.get("kamailio-trunk");
    }

    public Map<String, String> start(String dbUrl, int servicePort) {
        int sip = TestPorts.free();
        int rpc = TestPorts.free();
        int trunk = TestPorts.free();
        TestPorts.publish("kamailio-sip", sip);
        TestPorts.publish("kamailio-trunk", trunk);
        env.put("KAMAILIO_SIP_PORT", Integer.toString(sip));
        int mc = TestPorts.free();
        env.put("KAMAILIO_MC_PORT", Integer.toString(mc));
        env.put("KAMAILIO_RPC_PORT", Integer.toString(rpc));
        env.put("KAMAILIO_SERVICE_URL", "http://127.0.0.1:" + servicePort);
        env.put("KAMAILIO_SECRET", SECRET);
        env.put("KAMAILIO_DB_URL", dbUrl);
        env.put("KAMAILIO_RTPENGINE_NG", RtpengineResource.ngAddress());
        env.put("KAMAILIO_TRUNK", HOST + ":" + trunk);
        env.put("KAMAILIO_RUN_DIR", RUN_DIR.toString());
        BinScript.run("kamailio-ctl", "stop", env, RUN_DIR);
        BinScript.run("kamailio-ctl", "start", env, RUN_DIR);
        return Map.of(
                "callsup.kamailio.rpc-url", "http://127.0.0.1:" + rpc + "/RPC",
                "callsup.kamailio.secret", SECRET,
                // Application joins: INVITEs go from the MC socket to the proxy socket.
                "callsup.kamailio.sip-socket", HOST + ":" + sip,
                "callsup.kamailio.mc-socket", HOST + ":" + mc);
    }

    public void stop() {
        if (!env.isEmpty()) {
            BinScript.run("kamailio-ctl", "stop", env, RUN_DIR);
        }
    }
}
