package io.callsup.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An Artemis primary/backup pair with replication (no shared disk, as on two hosts), each broker a
 * separate process on loopback, configured by {@code src/test/resources/artemis-pair/*.xml} (the
 * configuration README "Scaling out" documents). The brokers are the Apache Artemis release that
 * {@code bin/callsup} installs ({@code $ARTEMIS_HOME}, default
 * {@code /var/lib/callsup/apache-artemis-2.56.0}) when it is there, else the artemis-server on the
 * test class path. Fixed ports 61700 (primary) and 61701 (backup): above the kernel's ephemeral
 * range, used by no other test. A pair has no quorum: the backup activates whenever it loses the
 * primary, so a network split (which this class does not stage) could leave two active brokers.
 */
public final class ArtemisPair implements AutoCloseable {

    public static final int PRIMARY_PORT = 61700;
    public static final int BACKUP_PORT = 61701;
    private static final String HOST = "127.0.0.1";

    private final Path dir;
    private Process primary;
    private Process backup;

    public ArtemisPair(Path dir) {
        this.dir = dir;
    }

    /** The URL the service would get in {@code quarkus.artemis.url}: both brokers, fail over, retry forever. */
    public static String failoverUrl() {
        return "(tcp://" + HOST + ":" + PRIMARY_PORT + ",tcp://" + HOST + ":" + BACKUP_PORT + ")"
                + "?ha=true&reconnectAttempts=-1&retryInterval=100&retryIntervalMultiplier=2&maxRetryInterval=2000";
    }

    /** Starts the primary, then the backup, and returns once the backup holds a synchronised replica. */
    public void start() throws Exception {
        for (int port : new int[] {PRIMARY_PORT, BACKUP_PORT}) {
            requireFree(port);
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        primary = launch("primary", PRIMARY_PORT, BACKUP_PORT);
        awaitLog("primary", ArtemisNode.ACTIVE, Duration.ofSeconds(60));
        backup = launch("backup", BACKUP_PORT, PRIMARY_PORT);
        // "Backup server ... is synchronized with the primary": from here a SIGKILL of the primary loses nothing.
        awaitLog("backup", ArtemisNode.REPLICA_SYNCHRONIZED, Duration.ofSeconds(60));
    }

    /** SIGKILL of the primary broker's process: no shutdown, no goodbye to clients or the backup. */
    public void killPrimary() throws InterruptedException {
        primary.destroyForcibly();
        if (!primary.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the primary broker did not die");
        }
    }

    /** Waits until the backup says it has become the active broker. */
    public void awaitBackupActive(Duration timeout) throws Exception {
        awaitLog("backup", ArtemisNode.ACTIVE, timeout);
    }

    public String log(String node) throws IOException {
        Path file = dir.resolve(node + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private Process launch(String node, int self, int peer) throws IOException {
        Path data = dir.resolve(node);
        Files.createDirectories(data);
        Path xml = data.resolve("broker.xml");
        try (InputStream in = Objects.requireNonNull(ArtemisPair.class.getResourceAsStream("/artemis-pair/" + node + ".xml"))) {
            Files.copy(in, xml, StandardCopyOption.REPLACE_EXISTING);
        }
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
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dcallsup.artemis.self=" + HOST + ":" + self, "-Dcallsup.artemis.peer=" + HOST + ":" + peer,
                "-Dcallsup.artemis.data=" + data.toAbsolutePath(), "-Dcallsup.artemis.cluster-password=pair-test",
                "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath(),
                "-cp", classPath(), ArtemisNode.class.getName(), xml.toAbsolutePath().toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(node + ".log").toFile()).start();
    }

    /** The release's lib/ plus this class, or the test class path when no release is installed. */
    private static String classPath() {
        String home = System.getenv().getOrDefault("ARTEMIS_HOME", "/var/lib/callsup/apache-artemis-2.56.0");
        Path lib = Path.of(home, "lib");
        String self = Path.of(ArtemisNode.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        if (Files.isDirectory(lib)) {
            return self + java.io.File.pathSeparator + lib + "/*";
        }
        return System.getProperty("java.class.path");
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

    private static void requireFree(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 200);
            throw new IllegalStateException("port " + port + " is in use: another ArtemisPair (or something else) runs");
        } catch (java.net.ConnectException expected) {
            // nobody listens
        }
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(HOST, port));
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
