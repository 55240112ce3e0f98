package io.callsup.testsupport;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stops the test PostgreSQL for real (fast shutdown: every connection is cut and new ones are
 * refused) and starts it again on the same port and data directory when closed.
 */
public final class PostgresOutage implements AutoCloseable {

    private final Path postgres;
    private final String dataDir;
    private final List<String> options;
    private final String owner;
    private final int port;

    private PostgresOutage(Path postgres, String dataDir, List<String> options, String owner, int port) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.options = options;
        this.owner = owner;
        this.port = port;
    }

    /** The postmaster listening on {@code port}, found by its command line. */
    public static PostgresOutage stop(int port) throws Exception {
        ProcessHandle postmaster = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .filter(p -> {
                    List<String> args = List.of(p.info().arguments().orElse(new String[0]));
                    int i = args.indexOf("-p");
                    return i >= 0 && i + 1 < args.size() && args.get(i + 1).equals(Integer.toString(port));
                })
                .filter(p -> p.parent().flatMap(pp -> pp.info().command()).map(c -> !c.endsWith("/postgres")).orElse(true))
                .findFirst().orElseThrow(() -> new IllegalStateException("no postmaster on port " + port));
        String command = postmaster.info().command().orElseThrow();
        List<String> args = new ArrayList<>(List.of(postmaster.info().arguments().orElseThrow()));
        int d = args.indexOf("-D");
        String dataDir = args.get(d + 1);
        args.remove(d + 1);
        args.remove(d);
        String owner = postmaster.info().user().orElseThrow();
        PostgresOutage outage = new PostgresOutage(Path.of(command), dataDir, args, owner, port);
        // SIGINT is PostgreSQL's fast shutdown: sessions are cut, and pg_ctl refuses to run as root.
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("could not signal the postmaster " + postmaster.pid());
        }
        postmaster.onExit().get(60, TimeUnit.SECONDS);
        return outage;
    }

    @Override
    public void close() throws Exception {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name")) && !"root".equals(owner)) {
            command.addAll(List.of("runuser", "-u", owner, "--"));
        }
        // The server binary itself, as embedded PostgreSQL runs it (pg_ctl refuses root).
        command.add(postgres.toString());
        command.addAll(List.of("-D", dataDir));
        command.addAll(options);
        Path log = Files.createTempFile("pg-restart", ".log");
        Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // Nothing else stops this process: the resource's own handle is to the first server.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.destroy()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("PostgreSQL did not restart: " + Files.readString(log));
            }
            try (Socket socket = new Socket("127.0.0.1", port)) {
                Thread.sleep(500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("PostgreSQL did not listen again within 60 s: " + Files.readString(log));
    }
}
