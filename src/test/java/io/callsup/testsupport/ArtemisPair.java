package io.callsup.testsupport;

import io.callsup.testsupport.netns.NetnsLab;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An Artemis primary/backup pair with replication (no shared disk, as on two hosts), each broker a
 * separate process, configured by {@code src/test/resources/artemis-pair/*.xml} (the configuration
 * README "Scaling out" documents). The brokers are the Apache Artemis release that
 * {@code bin/callsup} installs ({@code $ARTEMIS_HOME}, default
 * {@code /var/lib/callsup/apache-artemis-2.56.0}) when it is there, else the artemis-server on the
 * test class path. By default both run on loopback, fixed ports 61700 (primary) and 61701 (backup):
 * above the kernel's ephemeral range, used by no other test. {@link Node#inNetns} puts a broker on
 * its own address inside a network namespace instead (the netns lab's csl-mq1/csl-mq2, NetnsLab).
 * A pair has no quorum: the backup activates whenever it loses the primary, so a network split
 * (which this class does not stage) could leave two active brokers.
 */
public final class ArtemisPair implements AutoCloseable {

    public static final int PRIMARY_PORT = 61700;
    public static final int BACKUP_PORT = 61701;
    private static final String LOOPBACK = "127.0.0.1";

    /**
     * Where one broker runs: {@code host:port} is its acceptor and the address its peer and clients
     * use; {@code netns}, when not null, the network namespace it is started in.
     */
    public record Node(String host, int port, String netns) {
        public static Node loopback(int port) {
            return new Node(LOOPBACK, port, null);
        }

        public static Node inNetns(String netns, String host, int port) {
            return new Node(host, port, netns);
        }

        String address() {
            return host + ":" + port;
        }

        /** {@code ip netns exec} execs the command in place: the launched process is the broker's JVM. */
        List<String> launcher() {
            return netns == null ? List.of() : List.of("ip", "netns", "exec", netns);
        }
    }

    private final Path dir;
    private final Node primaryNode;
    private final Node backupNode;
    private Process primary;
    private Process backup;

    /** Both brokers on loopback, ports {@link #PRIMARY_PORT} and {@link #BACKUP_PORT}. */
    public ArtemisPair(Path dir) {
        this(dir, Node.loopback(PRIMARY_PORT), Node.loopback(BACKUP_PORT));
    }

    public ArtemisPair(Path dir, Node primary, Node backup) {
        this.dir = dir;
        this.primaryNode = primary;
        this.backupNode = backup;
    }

    /** The URL the service gets in {@code quarkus.artemis.url}: both brokers, fail over, retry forever. */
    public String failoverUrl() {
        return "(tcp://" + primaryNode.address() + ",tcp://" + backupNode.address() + ")"
                + "?ha=true&reconnectAttempts=-1&retryInterval=100&retryIntervalMultiplier=2&maxRetryInterval=2000";
    }

    /** Starts the primary, then the backup, and returns once the backup holds a synchronised replica. */
    public void start() throws Exception {
        for (Node node : new Node[] {primaryNode, backupNode}) {
            // A namespace's address exists only inside it; the lab creates its namespaces afresh.
            if (node.netns() == null) {
                requireFree(node);
            }
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        primary = launch("primary", primaryNode, backupNode);
        awaitLog("primary", ArtemisNode.ACTIVE, Duration.ofSeconds(60));
        backup = launch("backup", backupNode, primaryNode);
        // The backup holds the primary's journal: from here a SIGKILL of the primary loses nothing.
        awaitLog("backup", ArtemisNode.REPLICA_SYNCHRONIZED, Duration.ofSeconds(60));
    }

    /**
     * SIGKILL of the primary broker's JVM: no shutdown, no goodbye to clients or the backup. Checks
     * that the process killed is the broker's JVM (not a launcher that would leave it running) and,
     * in a namespace, that nothing is left running there.
     */
    public void killPrimary() throws InterruptedException {
        String command = primary.info().command().orElse("?");
        if (!command.endsWith("/java")) {
            throw new IllegalStateException("pid " + primary.pid() + " is " + command + ", not the broker's JVM");
        }
        primary.destroyForcibly();
        if (!primary.waitFor(10, TimeUnit.SECONDS) || ProcessHandle.of(primary.pid()).map(ProcessHandle::isAlive)
                .orElse(false)) {
            throw new IllegalStateException("the primary broker (pid " + primary.pid() + ") did not die");
        }
        if (primaryNode.netns() != null) {
            List<Long> left = NetnsLab.pids(primaryNode.netns());
            if (!left.isEmpty()) {
                throw new IllegalStateException("processes left in " + primaryNode.netns() + " after the kill: " + left);
            }
        }
    }

    /** Process id of the primary broker's JVM. */
    public long primaryPid() {
        return primary.pid();
    }

    /** Waits until the backup says it has become the active broker. */
    public void awaitBackupActive(Duration timeout) throws Exception {
        awaitLog("backup", ArtemisNode.ACTIVE, timeout);
    }

    /** When the backup became active (its own clock, within 20 ms), or null while it has not. */
    public Instant backupActiveAt() throws IOException {
        Matcher m = Pattern.compile(ArtemisNode.ACTIVE + " (\\d+)").matcher(log("backup"));
        return m.find() ? Instant.ofEpochMilli(Long.parseLong(m.group(1))) : null;
    }

    public String log(String node) throws IOException {
        Path file = dir.resolve(node + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private Process launch(String node, Node self, Node peer) throws IOException {
        Path data = dir.resolve(node);
        Files.createDirectories(data);
        Path xml = data.resolve("broker.xml");
        try (InputStream in = Objects.requireNonNull(ArtemisPair.class.getResourceAsStream("/artemis-pair/" + node + ".xml"))) {
            Files.copy(in, xml, StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> cmd = new ArrayList<>(self.launcher());
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dcallsup.artemis.self=" + self.address(), "-Dcallsup.artemis.peer=" + peer.address(),
                "-Dcallsup.artemis.data=" + data.toAbsolutePath(), "-Dcallsup.artemis.cluster-password=pair-test",
                "-cp", classPath()));
        cmd.addAll(loggingOptions(data));
        cmd.addAll(List.of(ArtemisNode.class.getName(), xml.toAbsolutePath().toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(node + ".log").toFile()).start();
    }

    private static Path releaseLib() {
        return Path.of(System.getenv().getOrDefault("ARTEMIS_HOME", "/var/lib/callsup/apache-artemis-2.56.0"), "lib");
    }

    /** The release's lib/ plus this class, or the test class path when no release is installed. */
    private static String classPath() {
        String self = Path.of(ArtemisNode.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        if (Files.isDirectory(releaseLib())) {
            return self + java.io.File.pathSeparator + releaseLib() + "/*";
        }
        // Quarkus's bootstrap jars would take over JBoss LogManager's configuration (a delayed handler
        // that waits for a Quarkus start that never comes): the broker's log would stay empty.
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !Path.of(e).getFileName().toString().matches("quarkus-(bootstrap-runner|ide-launcher)-.*"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    /**
     * The broker's log to its stdout (the node's .log file): the release logs through Log4j 2, the
     * test class path through JBoss LogManager (slf4j-jboss-logmanager), configured here.
     */
    private static List<String> loggingOptions(Path data) throws IOException {
        if (Files.isDirectory(releaseLib())) {
            Path log4j = data.resolve("log4j2.properties");
            Files.writeString(log4j, """
                    rootLogger.level = INFO
                    rootLogger.appenderRef.out.ref = out
                    appender.out.type = Console
                    appender.out.name = out
                    appender.out.layout.type = PatternLayout
                    appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5level [%logger{1}] %msg%n
                    logger.audit.name = org.apache.activemq.audit
                    logger.audit.level = WARN
                    """);
            return List.of("-Dlog4j2.configurationFile=" + log4j.toAbsolutePath());
        }
        Path jboss = data.resolve("logging.properties");
        Files.writeString(jboss, """
                loggers=org.apache.activemq.audit
                logger.level=INFO
                logger.handlers=OUT
                logger.org.apache.activemq.audit.level=WARN
                handler.OUT=org.jboss.logmanager.handlers.ConsoleHandler
                handler.OUT.properties=autoFlush,target
                handler.OUT.autoFlush=true
                handler.OUT.target=SYSTEM_OUT
                handler.OUT.formatter=PATTERN
                formatter.PATTERN=org.jboss.logmanager.formatters.PatternFormatter
                formatter.PATTERN.properties=pattern
                formatter.PATTERN.pattern=%d{HH:mm:ss.SSS} %-5p [%c{1}] %s%n
                """);
        return List.of("-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-Dlogging.configuration=" + jboss.toUri());
    }

    private void awaitLog(String node, String code, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Process process = node.equals("primary") ? primary : backup;
        while (!log(node).contains(code)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(node + " broker exited before " + code + ":\n" + log(node));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(node + " broker: no " + code + " within " + timeout + ":\n" + log(node));
            }
            Thread.sleep(50);
        }
    }

    private static void requireFree(Node node) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(node.host(), node.port()), 200);
            throw new IllegalStateException(node.address() + " is in use: another ArtemisPair (or something else) runs");
        } catch (java.net.ConnectException expected) {
            // nobody listens
        }
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(node.host(), node.port()));
        }
    }

    @Override
    public void close() {
        for (Process p : new Process[] {backup, primary}) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
        }
    }
}
