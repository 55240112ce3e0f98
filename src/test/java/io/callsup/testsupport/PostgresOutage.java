package io.callsup.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stops the test PostgreSQL for real ({@code pg_ctl stop -m fast}, so every connection is cut and
 * new ones are refused) and starts it again on the same port and data directory when closed.
 */
public final class PostgresOutage implements AutoCloseable {

    private final Path pgCtl;
    private final String dataDir;
    private final String options;
    private final String owner;

    private PostgresOutage(Path pgCtl, String dataDir, String options, String owner) {
        this.pgCtl = pgCtl;
        this.dataDir = dataDir;
        this.options = options;
        this.owner = owner;
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
        Path pgCtl = Path.of(command).resolveSibling("pg_ctl");
        String owner = postmaster.info().user().orElseThrow();
        PostgresOutage outage = new PostgresOutage(pgCtl, dataDir, String.join(" ", args), owner);
        // SIGINT is PostgreSQL's fast shutdown: sessions are cut, and pg_ctl refuses to run as root.
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("could not signal the postmaster " + postmaster.pid());
        }
        postmaster.onExit().get(60, TimeUnit.SECONDS);
        return outage;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        // Written by the server's owner, who is not the test's user when the tests run as root.
        Path serverLog = Files.createTempFile("pg-restart", ".log",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-")));
        Files.setPosixFilePermissions(serverLog, PosixFilePermissions.fromString("rw-rw-rw-"));
        run("-o", options, "-l", serverLog.toString(), "-w", "start");
    }

    private void run(String... action) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name")) && !"root".equals(owner)) {
            command.addAll(List.of("runuser", "-u", owner, "--"));
        }
        command.addAll(List.of(pgCtl.toString(), "-D", dataDir));
        command.addAll(List.of(action));
        Path log = Files.createTempFile("pg_ctl", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + Files.readString(log));
        }
    }
}
