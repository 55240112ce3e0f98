package io.callsup.e2e;

import io.callsup.testsupport.BinScript;
import io.callsup.testsupport.ServiceProcess;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.TestPorts;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.callsup.e2e.StackDb.await;
import static io.callsup.e2e.StackDb.callsOf;
import static io.callsup.e2e.StackDb.sessionOf;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/callsup} as an operator runs it: the whole stack on a loopback address of its own
 * (127.0.0.30, so nothing collides with the other tests' 127.0.0.1 sockets) into a fresh data
 * directory; every component up; no socket of the stack on a wildcard address; a real supervision
 * through it (John's call from a client, Adam spies with *90744 and whispers with an RFC 4733 "1",
 * which only works if rtpengine's --dtmf-log-dest and the service's DTMF-log listener were derived
 * alike); stop leaves nothing behind; a second start reuses the data (roles and database exist,
 * the tenant is still there).
 * <p>
 * Not checked: the service's JVM also listens on a 127.0.0.1 port of the kernel's choosing
 * (backlog 50, opened during start-up, origin not found; not Netty, not Narayana's listener
 * thread). It is loopback, never a wildcard, and is printed, not hidden.
 */
class RunCommandIT {

    private static final String ADDR = "127.0.0.30";
    private static final Map<String, Integer> PORTS = Map.of("PG_PORT", 15532, "ARTEMIS_PORT", 16261,
            "ARTEMIS_HTTP_PORT", 18261, "RTPENGINE_NG_PORT", 22350, "DTMF_LOG_PORT", 22351,
            "KAMAILIO_SIP_PORT", 15160, "SERVICE_HTTP_PORT", 18180, "SERVICE_MGMT_PORT", 19100);
    private static final int MC_PORT = 15170;
    private static final int RPC_PORT = 15180;
    // Not below target/: a checkout under a private home directory (0700) would keep the stack's own
    // user out of its data directory.
    private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "callsup-run-command");
    private static final Path DATA = ROOT.resolve("data");
    private static final Path CONF = ROOT.resolve("callsup.conf");
    private static final Pattern SS_PID = Pattern.compile("pid=(\\d+)");

    @AfterEach
    void stopAndForget() throws Exception {
        if (Files.exists(CONF)) {
            callsup("stop", Duration.ofMinutes(2));
        }
        System.clearProperty("callsup.test.kamailio-host");
        RestAssured.reset();
    }

    @Test
    void startSuperviseStopAndStartAgain() throws Exception {
        writeConfig();
        long t0 = System.nanoTime();
        Result first = callsup("start", Duration.ofMinutes(4));
        long startMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(first.exit).as(first.output).isZero();
        assertThat(first.output).contains("role callsup created", "role kamailio created", "database callsup created",
                "http://" + ADDR + ":18180/api/v1", "udp:" + ADDR + ":15160", DATA.resolve("secrets.env").toString());
        System.out.println("bin/callsup start (fresh data dir): " + startMs + " ms\n" + first.output);
        assertThat(callsup("status", Duration.ofSeconds(30)).exit).isZero();

        Set<Long> stack = stackPids();
        List<String> sockets = stackSockets(stack);
        System.out.println("listening sockets of the stack:\n" + String.join("\n", sockets));
        assertThat(sockets).as("no socket of the stack on a wildcard address")
                .noneMatch(l -> local(l).matches("(0\\.0\\.0\\.0|\\*|\\[::]|\\[::ffff:0\\.0\\.0\\.0]):\\d+"));
        assertThat(sockets).as("no socket on an address outside loopback")
                .allMatch(l -> local(l).matches("(\\[::ffff:)?127\\.\\d+\\.\\d+\\.\\d+]?:\\d+"));
        List<String> expected = new ArrayList<>();
        PORTS.forEach((name, port) -> expected.add(ADDR + ":" + port));
        expected.add(ADDR + ":" + MC_PORT);
        expected.add(ADDR + ":" + RPC_PORT);
        for (String e : expected) {
            assertThat(sockets).as("a socket on " + e).anyMatch(l -> local(l).replace("[::ffff:", "").replace("]", "").equals(e));
        }

        long tenant = supervise();

        Result stop = callsup("stop", Duration.ofMinutes(2));
        assertThat(stop.exit).as(stop.output).isZero();
        assertThat(callsup("status", Duration.ofSeconds(30)).exit).as("status after stop: all down").isEqualTo(3);
        for (long pid : stack) {
            assertThat(running(pid)).as("pid " + pid + " gone").isFalse();
        }
        assertThat(ss()).as("nothing listens on " + ADDR + " any more").noneMatch(l -> l.contains(ADDR + ":"));
        try (var files = Files.walk(DATA)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".pid"))).as("pid files removed").isEmpty();
        }

        Result again = callsup("start", Duration.ofMinutes(4));
        assertThat(again.exit).as(again.output).isZero();
        assertThat(again.output).contains("role callsup exists", "role kamailio exists", "database callsup exists")
                .doesNotContain("cluster created", "instance created");
        assertThat(callsup("start", Duration.ofMinutes(1)).output).as("start while running")
                .contains("postgresql: already running", "artemis: already running", "service: already running");
        TestApi.admin().get("/api/v1/admin/customers/" + tenant).then().statusCode(200);
    }

    /** A registered agent's call from a client, a spy joined by dial code, then an RFC 4733 switch. */
    private long supervise() throws Exception {
        System.setProperty("callsup.test.kamailio-host", ADDR);
        TestPorts.publish("kamailio-sip", PORTS.get("KAMAILIO_SIP_PORT"));
        RestAssured.baseURI = "http://" + ADDR;
        RestAssured.port = PORTS.get("SERVICE_HTTP_PORT");
        Pbx pbx = new Pbx(true);
        try (Connection db = DriverManager.getConnection("jdbc:postgresql://" + ADDR + ":" + PORTS.get("PG_PORT")
                + "/callsup", "callsup", secret("DB_PASSWORD"));
             RtpEndpoint john = new RtpEndpoint("John", Pbx.JOHN_HZ);
             RtpEndpoint client = new RtpEndpoint("client", Pbx.CLIENT_HZ);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone johnPhone = pbx.answeringPhone("john", pbx.johnUser, john);
             SippPhone clientPhone = pbx.clientCalls("744", client, Duration.ofSeconds(40))) {
            Pbx.connect(john, johnPhone);
            Pbx.connect(client, clientPhone);
            await(() -> callsOf(db, pbx.john) == 1, "John's call registered");
            try (SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_wait_bye.xml", adam)) {
                Pbx.connect(adam, adamPhone);
                await(() -> String.valueOf(sessionOf(db, pbx.adam)).startsWith("ACTIVE/SPY/"), "Adam in spy");
                expectRow("spy through bin/callsup's stack", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ),
                        adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                adam.sendDigit('1', 200);
                await(() -> String.valueOf(sessionOf(db, pbx.adam)).startsWith("ACTIVE/WHISPER/"),
                        "whisper after an RFC 4733 digit (rtpengine's DTMF log reaches the service)");
                Thread.sleep(400);
                expectRow("whisper through bin/callsup's stack", row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ),
                        client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                // The operator's view of that session, printed as README "Observability" sample output.
                String metrics = RestAssured.get("http://" + ADDR + ":" + PORTS.get("SERVICE_MGMT_PORT") + "/q/metrics")
                        .asString();
                metrics.lines().filter(l -> l.startsWith("callsup_") && !l.contains("_bucket{"))
                        .forEach(l -> System.out.println("metrics sample: " + l));
                assertThat(metrics).containsPattern("callsup_mode_switches_total\\{[^}]*to=\"whisper\"[^}]*trigger=\"rfc4733\"[^}]*} 1\\.0");
            }
        }
        return pbx.abc.customerId();
    }

    private void writeConfig() throws Exception {
        for (String line : ss()) {
            for (int port : PORTS.values()) {
                assertThat(local(line)).as("port " + port + " must be free on " + ADDR + " (or any address)")
                        .doesNotMatch("(\\[::ffff:)?(" + Pattern.quote(ADDR) + "|0\\.0\\.0\\.0|\\*|\\[::])]?:" + port);
            }
        }
        callsupStopLeftover();
        Files.createDirectories(ROOT);
        // The stack's own user (CALLSUP_USER) must reach its data directory.
        Files.setPosixFilePermissions(ROOT, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (Files.exists(DATA)) {
            new ProcessBuilder("rm", "-rf", "--one-file-system", DATA.toString()).start().waitFor(60, TimeUnit.SECONDS);
        }
        Path extra = ROOT.resolve("service.properties");
        // Hashing strength is not under test; 120k rounds per API request would only slow it down.
        Files.writeString(extra, "callsup.security.password-hash-iterations=1000\n");
        StringBuilder conf = new StringBuilder("CALLSUP_DATA_DIR=" + DATA + "\nCALLSUP_ADDR=" + ADDR + "\n");
        PORTS.forEach((k, v) -> conf.append(k).append('=').append(v).append('\n'));
        int media = freeMediaBlock();
        conf.append("RTPENGINE_PORT_MIN=").append(media).append("\nRTPENGINE_PORT_MAX=").append(media + 499).append('\n')
                .append("KAMAILIO_TRUNK=127.0.0.1:").append(TestPorts.free()).append('\n')
                .append("ADMIN_USER=").append(TestApi.ADMIN_USER).append('\n')
                .append("ADMIN_PASSWORD=").append(TestApi.ADMIN_PASSWORD).append('\n')
                .append("SERVICE_APP=").append(ServiceProcess.jar().toAbsolutePath().getParent()).append('\n')
                .append("SERVICE_JAVA=").append(ProcessHandle.current().info().command().orElse("java")).append('\n')
                .append("SERVICE_PROPERTIES=").append(extra).append('\n');
        Files.writeString(CONF, conf.toString());
        // Pbx.clientCalls sends from the trunk port: the one the config names.
        String trunk = conf.toString().replaceAll("(?s).*KAMAILIO_TRUNK=127\\.0\\.0\\.1:(\\d+).*", "$1");
        TestPorts.publish("kamailio-trunk", Integer.parseInt(trunk));
    }

    /**
     * A 500-port media block below the ephemeral range that no running rtpengine uses (bin/rtpengine-daemon
     * refuses overlaps: rtpengine binds with address reuse, so two daemons would steal each other's packets).
     */
    private static int freeMediaBlock() throws IOException {
        List<int[]> used = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path d : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (!Files.readString(d.resolve("comm")).trim().equals("rtpengine")) {
                        continue;
                    }
                    String args = Files.readString(d.resolve("cmdline")).replace('\0', ' ');
                    used.add(new int[] {option(args, "--port-min", 30000), option(args, "--port-max", 40000)});
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        for (int lo = 23000; lo + 499 < 32768; lo += 500) {
            int start = lo;
            if (used.stream().noneMatch(r -> r[0] <= start + 499 && start <= r[1])) {
                return lo;
            }
        }
        throw new IllegalStateException("no free rtpengine media block below 32768");
    }

    private static int option(String args, String name, int dflt) {
        Matcher m = Pattern.compile(name + "[= ](\\d+)").matcher(args);
        return m.find() ? Integer.parseInt(m.group(1)) : dflt;
    }

    /** A stack left by an aborted run of this test would hold the ports. */
    private void callsupStopLeftover() throws Exception {
        if (Files.exists(CONF) && Files.exists(DATA)) {
            callsup("stop", Duration.ofMinutes(2));
        }
    }

    private String secret(String name) throws IOException {
        return Files.readAllLines(DATA.resolve("secrets.env")).stream().filter(l -> l.startsWith(name + "="))
                .map(l -> l.substring(name.length() + 1)).findFirst().orElseThrow();
    }

    /** Main pids of the five components, from their pid files. */
    private static Set<Long> stackPids() throws IOException {
        Set<Long> pids = new HashSet<>();
        for (String f : List.of("postgres/data/postmaster.pid", "artemis.pid", "rtpengine/rtpengine.pid",
                "kamailio/kamailio.pid", "service/service.pid")) {
            pids.add(Long.parseLong(Files.readAllLines(DATA.resolve(f)).get(0).trim()));
        }
        return pids;
    }

    /** ss lines whose owning process is one of {@code roots} or a descendant of one. */
    private static List<String> stackSockets(Set<Long> roots) throws Exception {
        List<String> mine = new ArrayList<>();
        for (String line : ss()) {
            Matcher m = SS_PID.matcher(line);
            while (m.find()) {
                long pid = Long.parseLong(m.group(1));
                if (ProcessHandle.of(pid).map(h -> descends(h, roots)).orElse(false)) {
                    mine.add(line.replaceAll("users:\\(.*", "") + "pid " + pid + " "
                            + ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("?"));
                    break;
                }
            }
        }
        return mine;
    }

    /**
     * Alive and not a zombie: the daemons were started detached, so once bin/callsup has exited
     * their parent is init, which may reap a dead one a moment later ({@link ProcessHandle#isAlive}
     * counts a zombie as alive; it holds no socket or file).
     */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }

    private static boolean descends(ProcessHandle h, Set<Long> roots) {
        for (ProcessHandle p = h; p != null; p = p.parent().orElse(null)) {
            if (roots.contains(p.pid())) {
                return true;
            }
        }
        return false;
    }

    private static String local(String ssLine) {
        String[] f = ssLine.trim().split("\\s+");
        return f.length > 4 ? f[4] : "";
    }

    private static List<String> ss() throws Exception {
        Process p = new ProcessBuilder("ss", "-Hlntup").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out.lines().toList();
    }

    private record Result(int exit, String output) {
    }

    private static Result callsup(String command, Duration max) throws Exception {
        Path out = Files.createTempFile("callsup-" + command, ".out");
        Process p = new ProcessBuilder(BinScript.locate("callsup").toString(), "-c", CONF.toString(), command)
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(max.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/callsup " + command + " took over " + max + ":\n" + Files.readString(out));
        }
        String text = Files.readString(out);
        Files.delete(out);
        return new Result(p.exitValue(), text);
    }
}
