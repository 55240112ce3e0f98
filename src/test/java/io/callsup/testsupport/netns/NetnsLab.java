package io.callsup.testsupport.netns;

import io.callsup.testsupport.ArtemisPair;
import io.callsup.testsupport.BinScript;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.ServiceProcess;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.TestPorts;
import io.restassured.RestAssured;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The product on "separate hosts": bin/netns-lab's namespaces, one address each, every component
 * started inside its own with {@code ip netns exec} — PostgreSQL (csl-db), two rtpengines
 * (csl-rtpe1/2, one Kamailio set), Kamailio (csl-kam), two service replicas (csl-svc1/2). The test
 * JVM stays in the root namespace on the bridge (10.77.0.1): the phones (SIPp, RTP endpoints), the
 * API client and the embedded Artemis broker live there. {@link #withArtemisPair()} replaces that
 * broker with a replicated primary/backup pair on hosts of their own (csl-mq1, csl-mq2), and the
 * replicas get its failover URL.
 * <p>
 * Loopback is never used between components, and the lab's ports live in its own namespaces (and on
 * 10.77.0.1), so it runs beside the loopback tests without touching their ports. {@link #close()}
 * stops everything and runs {@code bin/netns-lab down}, which kills whatever is left in the
 * namespaces (by pid) and deletes them; {@link #start()} first runs {@code down} too, so a run
 * killed half-way leaves nothing that breaks the next.
 * <p>
 * The DTMF log: every rtpengine sends to the multicast group {@link #DTMF_GROUP}, every replica
 * joins it on eth0, and the replica holding the DTMF leader lock acts (README "Scaling out").
 */
public final class NetnsLab implements AutoCloseable {

    public static final String HOST = "10.77.0.1";
    public static final String KAM = "10.77.0.10";
    public static final String[] RTPE = {"10.77.0.11", "10.77.0.12"};
    public static final String[] SVC = {"10.77.0.21", "10.77.0.22"};
    public static final String DB = "10.77.0.30";
    /** Artemis primary (csl-mq1) and backup (csl-mq2), with {@link #withArtemisPair()}. */
    public static final String[] MQ = {"10.77.0.41", "10.77.0.42"};
    public static final String DTMF_GROUP = "239.77.0.1";
    /**
     * ng port of rtpengine i is NG + i: bin/rtpengine-daemon refuses a port or media range any
     * rtpengine on the machine uses, whatever its namespace (it reads /proc), so the two differ.
     */
    public static final int NG = 22391;
    public static final int SIP = 5060;
    public static final int MC = 5070;
    public static final int RPC = 5080;
    public static final int TRUNK = 5099;
    public static final int HTTP = 8080;
    public static final int MGMT = 9000;
    static final int PG = 5432;
    static final int ARTEMIS = 61616;
    static final int DTMF = 22223;

    private static final Path DIR = Path.of("target", "netns-lab").toAbsolutePath();
    // PostgreSQL refuses to run as root: its files live where the postgres user can reach them.
    private static final Path PG_DIR = Path.of("/tmp", "callsup-netns-lab-pg");
    private static final String PG_BIN = "/usr/lib/postgresql/15/bin";

    private final Map<String, String> kamailioEnv = new HashMap<>();
    private final List<ServiceProcess> services = new ArrayList<>();
    private final Map<String, String> serviceOverrides = new HashMap<>();
    private EmbeddedActiveMQ artemis;
    private boolean withPair;
    private ArtemisPair pair;
    private boolean pgStarted;

    /** True when the lab can run here: root, and iproute2's netns. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0
                    && "root".equals(System.getProperty("user.name")) && Files.isDirectory(Path.of(PG_BIN));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Before {@link #start()}: the audit broker is an Artemis primary/backup pair in csl-mq1/csl-mq2
     * (two more JVMs, about 10 s more to start), not the embedded broker in the test JVM.
     */
    public NetnsLab withArtemisPair() {
        withPair = true;
        return this;
    }

    /** The pair started by {@link #withArtemisPair()}: kill its primary, await its backup. */
    public ArtemisPair artemisPair() {
        if (pair == null) {
            throw new IllegalStateException("this lab runs the embedded broker: withArtemisPair() before start()");
        }
        return pair;
    }

    /** What the replicas have in {@code quarkus.artemis.url}, for a test's own subscriber. */
    public String artemisUrl() {
        return withPair ? pair.failoverUrl() : "tcp://" + HOST + ":" + ARTEMIS;
    }

    /**
     * A service setting for both replicas on top of the lab's (e.g. INFO logging for a benchmark, where
     * the tests' DEBUG would cost the replicas CPU that production does not spend). Before {@link #start()}.
     */
    public NetnsLab withService(String key, String value) {
        serviceOverrides.put(key, value);
        return this;
    }

    public NetnsLab start() throws Exception {
        Files.createDirectories(DIR);
        lab("down");
        lab("up");
        startPostgres();
        migrate();
        startArtemis();
        for (int i = 0; i < RTPE.length; i++) {
            startRtpengine(i);
        }
        startKamailio();
        // Replica 2 first: it takes the DTMF leader lock, so the digits of calls whose decisions
        // replica 1 (Kamailio's first URL) made are acted on by the other replica.
        services.add(null);
        services.add(null);
        services.set(1, startService(1));
        services.set(0, startService(0));
        System.setProperty("callsup.test.kamailio-host", KAM);
        System.setProperty("callsup.test.phone-host", HOST);
        TestPorts.publish("kamailio-sip", SIP);
        TestPorts.publish("kamailio-trunk", TRUNK);
        RestAssured.baseURI = "http://" + SVC[0];
        RestAssured.port = HTTP;
        return this;
    }

    public ServiceProcess service(int i) {
        return services.get(i);
    }

    /** ng address as the service and Kamailio name it. */
    public static String ng(int i) {
        return RTPE[i] + ":" + (NG + i);
    }

    public Connection jdbc() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + DB + ":" + PG + "/postgres", "postgres", "postgres");
    }

    /** SIGKILL of rtpengine {@code i} (a crashed media node); waits until it is gone. */
    public void crashRtpengine(int i) throws Exception {
        long pid = Long.parseLong(Files.readString(rtpeDir(i).resolve("rtpengine.pid")).trim());
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
        h.destroyForcibly();
        h.onExit().get(10, TimeUnit.SECONDS);
    }

    /** Starts rtpengine {@code i} again (same address, ports and DTMF destination; no state). */
    public void restartRtpengine(int i) {
        startRtpengine(i);
    }

    /** Pids of every process in {@code netns} ({@code ip netns pids}); fails if that cannot be read. */
    public static List<Long> pids(String netns) {
        try {
            Process p = new ProcessBuilder("ip", "netns", "pids", netns).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("ip netns pids " + netns + ": " + out);
            }
            return out.lines().map(String::strip).filter(l -> l.matches("\\d+")).map(Long::parseLong).toList();
        } catch (IOException e) {
            throw new IllegalStateException("ip netns pids " + netns, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Management metrics text of replica {@code i}. */
    public String metrics(int i) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + SVC[i] + ":" + MGMT
                + "/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private void startPostgres() throws Exception {
        run(List.of("rm", "-rf", PG_DIR.toString()), Map.of());
        Files.createDirectories(PG_DIR);
        run(List.of("chown", "postgres:postgres", PG_DIR.toString()), Map.of());
        Path data = PG_DIR.resolve("data");
        run(List.of("runuser", "-u", "postgres", "--", PG_BIN + "/initdb", "-D", data.toString(), "-A", "trust",
                "-U", "postgres"), Map.of());
        Files.writeString(data.resolve("pg_hba.conf"), "host all all 10.77.0.0/24 trust\n",
                java.nio.file.StandardOpenOption.APPEND);
        run(List.of("ip", "netns", "exec", "csl-db", "runuser", "-u", "postgres", "--", PG_BIN + "/pg_ctl", "-D",
                data.toString(), "-l", PG_DIR.resolve("postgres.log").toString(), "-w", "-o",
                "-c listen_addresses=" + DB + " -p " + PG + " -k " + PG_DIR + " -c max_connections=200", "start"),
                Map.of());
        pgStarted = true;
    }

    private void migrate() {
        org.flywaydb.core.Flyway.configure().dataSource("jdbc:postgresql://" + DB + ":" + PG + "/postgres",
                "postgres", "postgres").locations("classpath:db/migration").load().migrate();
    }

    private void startArtemis() throws Exception {
        if (withPair) {
            pair = new ArtemisPair(DIR.resolve("artemis-pair"), ArtemisPair.Node.inNetns("csl-mq1", MQ[0], ARTEMIS),
                    ArtemisPair.Node.inNetns("csl-mq2", MQ[1], ARTEMIS));
            pair.start();
            return;
        }
        artemis = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl().setPersistenceEnabled(false)
                .setSecurityEnabled(false).addAcceptorConfiguration("tcp", "tcp://" + HOST + ":" + ARTEMIS));
        artemis.start();
    }

    private static Path rtpeDir(int i) {
        return DIR.resolve("rtpe" + (i + 1));
    }

    private void startRtpengine(int i) {
        Map<String, String> env = new HashMap<>();
        env.put("RTPENGINE_ADDR", RTPE[i]);
        env.put("RTPENGINE_NG_PORT", Integer.toString(NG + i));
        env.put("RTPENGINE_PORT_MIN", Integer.toString(28000 + 500 * i));
        env.put("RTPENGINE_PORT_MAX", Integer.toString(28499 + 500 * i));
        env.put("RTPENGINE_DTMF_LOG_DEST", DTMF_GROUP + ":" + DTMF);
        env.put("RTPENGINE_RUN_DIR", rtpeDir(i).toString());
        run(List.of("ip", "netns", "exec", "csl-rtpe" + (i + 1), BinScript.locate("rtpengine-daemon").toString(),
                "start"), env);
    }

    private void startKamailio() {
        kamailioEnv.put("KAMAILIO_SIP_ADDR", KAM);
        kamailioEnv.put("KAMAILIO_SIP_PORT", Integer.toString(SIP));
        kamailioEnv.put("KAMAILIO_MC_PORT", Integer.toString(MC));
        kamailioEnv.put("KAMAILIO_RPC_ADDR", KAM);
        kamailioEnv.put("KAMAILIO_RPC_PORT", Integer.toString(RPC));
        // Both replicas, replica 1 first: Kamailio moves to replica 2 when replica 1 does not answer.
        kamailioEnv.put("KAMAILIO_SERVICE_URL", "http://" + SVC[0] + ":" + MGMT + ",http://" + SVC[1] + ":" + MGMT);
        kamailioEnv.put("KAMAILIO_SERVICE_NET", "10.77.0.0/24");
        kamailioEnv.put("KAMAILIO_EVENT_SECRET", KamailioResource.EVENT_SECRET);
        kamailioEnv.put("KAMAILIO_RPC_SECRET", KamailioResource.RPC_SECRET);
        kamailioEnv.put("KAMAILIO_DB_URL", "postgres://postgres:postgres@" + DB + ":" + PG + "/postgres");
        kamailioEnv.put("KAMAILIO_RTPENGINE_NG", ng(0) + "," + ng(1));
        kamailioEnv.put("KAMAILIO_TRUNK", HOST + ":" + TRUNK);
        kamailioEnv.put("KAMAILIO_RUN_DIR", DIR.resolve("kamailio").toString());
        run(List.of("ip", "netns", "exec", "csl-kam", BinScript.locate("kamailio-ctl").toString(), "start"),
                kamailioEnv);
    }

    private ServiceProcess startService(int i) throws Exception {
        Map<String, String> c = new HashMap<>();
        c.put("quarkus.http.host", SVC[i]);
        c.put("quarkus.management.host", SVC[i]);
        c.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + DB + ":" + PG + "/postgres");
        c.put("quarkus.datasource.username", "postgres");
        c.put("quarkus.datasource.password", "postgres");
        c.put("quarkus.artemis.url", artemisUrl());
        c.put("callsup.media.rtpengine", ng(0) + "," + ng(1));
        c.put("callsup.media.dtmf-log.host", DTMF_GROUP);
        c.put("callsup.media.dtmf-log.port", Integer.toString(DTMF));
        c.put("callsup.media.dtmf-log.multicast-interface", "eth0");
        c.put("callsup.kamailio.rpc-url", "http://" + KAM + ":" + RPC + "/RPC");
        c.put("callsup.kamailio.event-secret", KamailioResource.EVENT_SECRET);
        c.put("callsup.kamailio.rpc-secret", KamailioResource.RPC_SECRET);
        c.put("callsup.kamailio.sip-socket", KAM + ":" + SIP);
        c.put("callsup.kamailio.mc-socket", KAM + ":" + MC);
        c.put("callsup.kamailio.restart-grace", "5s");
        c.put("callsup.security.bootstrap-admin.username", TestApi.ADMIN_USER);
        c.put("callsup.security.bootstrap-admin.password", TestApi.ADMIN_PASSWORD);
        c.put("callsup.security.password-hash-iterations", "1000");
        c.put("quarkus.log.category.\"io.callsup\".level", "DEBUG");
        c.putAll(serviceOverrides);
        ServiceProcess s = new ServiceProcess(c, HTTP, MGMT, DIR.resolve("svc" + (i + 1) + ".log"))
                .via(List.of("ip", "netns", "exec", "csl-svc" + (i + 1)), SVC[i]);
        s.start();
        return s;
    }

    @Override
    public void close() throws Exception {
        for (ServiceProcess s : services) {
            if (s != null) {
                s.close();
            }
        }
        if (!kamailioEnv.isEmpty()) {
            quietly(() -> run(List.of("ip", "netns", "exec", "csl-kam", BinScript.locate("kamailio-ctl").toString(),
                    "stop"), kamailioEnv));
        }
        if (pgStarted) {
            quietly(() -> run(List.of("ip", "netns", "exec", "csl-db", "runuser", "-u", "postgres", "--",
                    PG_BIN + "/pg_ctl", "-D", PG_DIR.resolve("data").toString(), "-m", "fast", "stop"), Map.of()));
        }
        if (artemis != null) {
            quietly(() -> artemis.stop());
        }
        if (pair != null) {
            quietly(pair::close);
        }
        // Whatever is left (rtpengines, a stuck process) is killed by pid and the namespaces go.
        lab("down");
        System.clearProperty("callsup.test.kamailio-host");
        System.clearProperty("callsup.test.phone-host");
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(Step s) {
        try {
            s.run();
        } catch (Exception | AssertionError e) {
            System.out.println("netns lab clean-up step failed (bin/netns-lab down follows): " + e);
        }
    }

    private static void lab(String action) {
        run(List.of(BinScript.locate("netns-lab").toString(), action), Map.of());
    }

    /** Runs a command to completion; its output goes to the lab's log, and a failure throws with its tail. */
    static void run(List<String> cmd, Map<String, String> env) {
        Path out = DIR.resolve("commands.log");
        try {
            Files.createDirectories(DIR);
            Files.writeString(out, "$ " + String.join(" ", cmd) + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd + " did not finish in 60 s; see " + out);
            }
            if (p.exitValue() != 0) {
                List<String> lines = Files.readAllLines(out);
                throw new IllegalStateException(cmd + " failed (" + p.exitValue() + "): "
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            }
        } catch (IOException e) {
            throw new IllegalStateException(cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
