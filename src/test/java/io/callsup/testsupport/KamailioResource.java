package io.callsup.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real Kamailio from the repository's kamailio/ config, pointed at the service under test. */
public class KamailioResource {

    public static final String HOST = "127.0.0.1";
    /**
     * Where phones send SIP: {@link #HOST} for the instance this class starts; bin/test-kube (the
     * Kamailio pod of the podman lab play) and RunCommandIT (bin/callsup on its own address) point it
     * elsewhere with {@code callsup.test.kamailio-host}.
     */
    public static String sipHost() {
        return System.getProperty("callsup.test.kamailio-host", HOST);
    }

    /** Kamailio to service (X-Callsup-Secret on the internal port). */
    public static final String EVENT_SECRET = "test-event-secret-kamailio-to-service";
    /** Service to Kamailio (X-Callsup-Secret on JSON-RPC). */
    public static final String RPC_SECRET = "test-rpc-secret-service-to-kamailio";
    /** rtpengine.enable is no method the service uses; only tests that restart rtpengine need it. */
    private static final String TEST_RPC_METHODS = "rtpengine.enable";
    private static final Path RUN_DIR = Path.of("target", "kamailio-run").toAbsolutePath();
    // Tests and test resources live in different class loaders of one JVM: the environment of the
    // running instance travels as a system property, like the ports in TestPorts.
    private static final String ENV_PROPERTY = "callsup.test.kamailio-env";

    private final Map<String, String> env = new HashMap<>();

    /** Phones send here. */
    public static int sipPort() {
        return TestPorts.get("kamailio-sip");
    }

    /** SIPp playing an outside client's carrier sends from here and needs no digest auth. */
    public static int trunkPort() {
        return TestPorts.get("kamailio-trunk");
    }

    /** The log of the instance the service uses. */
    public static Path log() {
        return RUN_DIR.resolve("kamailio.log");
    }

    /** The JSON-RPC port of the instance the service uses. */
    public static int rpcPort() {
        return Integer.parseInt(publishedEnv().get("KAMAILIO_RPC_PORT"));
    }

    /** {@code serviceInternalPort}: the service's management port, where its internal endpoints are. */
    public Map<String, String> start(String dbUrl, int serviceInternalPort) {
        int sip = TestPorts.free();
        int rpc = TestPorts.free();
        int trunk = TestPorts.free();
        TestPorts.publish("kamailio-sip", sip);
        TestPorts.publish("kamailio-trunk", trunk);
        env.put("KAMAILIO_SIP_PORT", Integer.toString(sip));
        int mc = TestPorts.free();
        env.put("KAMAILIO_MC_PORT", Integer.toString(mc));
        env.put("KAMAILIO_RPC_PORT", Integer.toString(rpc));
        env.put("KAMAILIO_SERVICE_URL", "http://127.0.0.1:" + serviceInternalPort);
        env.put("KAMAILIO_EVENT_SECRET", EVENT_SECRET);
        env.put("KAMAILIO_RPC_SECRET", RPC_SECRET);
        env.put("KAMAILIO_RPC_EXTRA_METHODS", TEST_RPC_METHODS);
        env.put("KAMAILIO_DB_URL", dbUrl);
        env.put("KAMAILIO_RTPENGINE_NG", RtpengineResource.ngAddress());
        env.put("KAMAILIO_TRUNK", HOST + ":" + trunk);
        env.put("KAMAILIO_RUN_DIR", RUN_DIR.toString());
        BinScript.run("kamailio-ctl", "stop", env, RUN_DIR);
        migrate(dbUrl);
        BinScript.run("kamailio-ctl", "start", env, RUN_DIR);
        publish(env);
        return Map.of(
                "callsup.kamailio.rpc-url", "http://127.0.0.1:" + rpc + "/RPC",
                "callsup.kamailio.event-secret", EVENT_SECRET,
                "callsup.kamailio.rpc-secret", RPC_SECRET,
                // Application joins: INVITEs go from the MC socket to the proxy socket.
                "callsup.kamailio.sip-socket", HOST + ":" + sip,
                "callsup.kamailio.mc-socket", HOST + ":" + mc,
                // Kamailio is started moments before the service: with the production grace (60 s)
                // the reconciler would end nothing during most test classes.
                "callsup.kamailio.restart-grace", "5s");
    }

    public void stop() {
        if (!env.isEmpty()) {
            BinScript.run("kamailio-ctl", "stop", env, RUN_DIR);
        }
    }

    /**
     * Kamailio's dialog and usrloc modules check their tables (migration V30) when it starts and
     * refuse to start without them, and Kamailio starts before the service (whose Flyway would
     * create them): migrate here, exactly as the service will (it then finds nothing to do).
     */
    private static void migrate(String kamailioDbUrl) {
        Matcher m = Pattern.compile("postgres://([^:]+):([^@]+)@([^/]+)/(.+)").matcher(kamailioDbUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("unexpected Kamailio DB URL " + kamailioDbUrl);
        }
        org.flywaydb.core.Flyway.configure()
                .dataSource("jdbc:postgresql://" + m.group(3) + "/" + m.group(4), m.group(1), m.group(2))
                .locations("classpath:db/migration").load().migrate();
    }

    /** The running instance crashes: SIGKILL to all its processes, nothing flushed. */
    public static void crash() {
        BinScript.run("kamailio-ctl", "kill", publishedEnv(), RUN_DIR);
    }

    /** Clean stop (SIGTERM) of the running instance. */
    public static void stopInstance() {
        BinScript.run("kamailio-ctl", "stop", publishedEnv(), RUN_DIR);
    }

    /** Starts the instance again, with the same ports and configuration. */
    public static void startInstance() {
        BinScript.run("kamailio-ctl", "start", publishedEnv(), RUN_DIR);
    }

    /**
     * A second, independent Kamailio on its own ports and run dir, against the same database (for
     * the accounts) but with another service URL, e.g. an in-test stub. Memory-only dialogs and
     * registrations, so it never loads or writes the main instance's rows; no rtpengine, no trunk.
     */
    public static Instance startSeparate(String name, String serviceUrl) {
        return startSeparate(name, serviceUrl, Map.of());
    }

    /** As above, connecting to the database as whoever {@code dbUrl} names. */
    public static Instance startSeparate(String name, String serviceUrl, String dbUrl) {
        return startSeparate(name, serviceUrl, Map.of("KAMAILIO_DB_URL", dbUrl));
    }

    /** As {@link #startSeparate(String, String)}, with {@code extra} kamailio-ctl settings on top. */
    public static Instance startSeparate(String name, String serviceUrl, Map<String, String> extra) {
        Map<String, String> main = publishedEnv();
        Map<String, String> e = new HashMap<>();
        int sip = TestPorts.free();
        Path runDir = Path.of("target", "kamailio-" + name).toAbsolutePath();
        e.put("KAMAILIO_SIP_PORT", Integer.toString(sip));
        e.put("KAMAILIO_MC_PORT", Integer.toString(TestPorts.free()));
        e.put("KAMAILIO_RPC_PORT", Integer.toString(TestPorts.free()));
        e.put("KAMAILIO_SERVICE_URL", serviceUrl);
        e.put("KAMAILIO_EVENT_SECRET", EVENT_SECRET);
        e.put("KAMAILIO_RPC_SECRET", RPC_SECRET);
        e.put("KAMAILIO_DB_URL", main.get("KAMAILIO_DB_URL"));
        e.put("KAMAILIO_DB_PERSIST", "0");
        e.put("KAMAILIO_RUN_DIR", runDir.toString());
        e.putAll(extra);
        BinScript.run("kamailio-ctl", "stop", e, runDir);
        BinScript.run("kamailio-ctl", "start", e, runDir);
        return new Instance(sip, runDir, e);
    }

    /** An instance from {@link #startSeparate}; closing it stops it. */
    public record Instance(int sipPort, Path runDir, Map<String, String> env) implements AutoCloseable {
        public Path log() {
            return runDir.resolve("kamailio.log");
        }

        public int rpcPort() {
            return Integer.parseInt(env.get("KAMAILIO_RPC_PORT"));
        }

        @Override
        public void close() {
            BinScript.run("kamailio-ctl", "stop", env, runDir);
        }
    }

    private static void publish(Map<String, String> env) {
        PublishedEnv.publish(ENV_PROPERTY, env);
    }

    private static Map<String, String> publishedEnv() {
        return PublishedEnv.read(ENV_PROPERTY, "Kamailio");
    }
}
