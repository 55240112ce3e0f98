package io.callsup.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service (target/quarkus-app) as its own operating-system process, so that a test or
 * the demo can kill it and start it again exactly as a crash and a restart would.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Map<String, String> config;
    private final int port;
    private final int managementPort;
    private final Path log;
    private Process process;
    private List<String> launcher = List.of();
    private String host = "127.0.0.1";

    /** {@code managementPort}: internal endpoints and health (quarkus.management.port). */
    public ServiceProcess(Map<String, String> config, int port, int managementPort, Path log) {
        this.config = Map.copyOf(config);
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /**
     * Runs the JVM through {@code launcher} (e.g. {@code ip netns exec NS}, which execs in place, so
     * {@link #pid()} and {@link #kill()} still reach the JVM) and checks readiness on {@code host},
     * where the service must then be told to listen. Before {@link #start()}.
     */
    public ServiceProcess via(List<String> launcher, String host) {
        this.launcher = List.copyOf(launcher);
        this.host = host;
        return this;
    }

    public String host() {
        return host;
    }

    public static Path jar() {
        Path jar = Path.of(System.getProperty("callsup.service.jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " does not exist: package the service first (./mvnw package)");
        }
        return jar;
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    private static volatile boolean ownSession;

    /**
     * Services started from now on run in a session of their own (setsid), so the kernel's
     * autogroups (sched_autogroup_enabled=1 here) schedule them apart from the test JVM and its SIPp
     * phones instead of sharing one group's CPU with them; {@link #pid()} then names a process whose
     * /proc autogroup the test may rank. For load tests (SupervisionSoak).
     */
    public static void ownSession() {
        ownSession = true;
    }

    /** The service's process id. */
    public long pid() {
        return process.pid();
    }

    public void start() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        // The product's own JVM options, so that what the soak and the benchmarks measure is what ships.
        List<String> cmd = new ArrayList<>(launcher);
        // -Dcallsup.test.service-jvm-options=FILE runs another set, to compare (benchmarks only).
        cmd.addAll(List.of(java, "@" + Path.of(System.getProperty("callsup.test.service-jvm-options",
                "src/main/jvm/service.jvm.options")).toAbsolutePath()));
        if (ownSession) {
            // setsid execs java in place (a ProcessBuilder child leads no group): the pid stays the JVM's.
            cmd.add(launcher.size(), "setsid");
        }
        config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-Dquarkus.management.port=" + managementPort);
        cmd.add("-jar");
        cmd.add(jar().toString());
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(cmd);
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        process = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        awaitReady(Duration.ofSeconds(90));
    }

    private void awaitReady(Duration max) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + managementPort + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the service did not become ready within " + max + "; see " + log);
    }

    /** SIGKILL: no shutdown hooks, no clean-up, as when a node dies. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
