package io.callsup.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private PostgresOutage(Path pgCtl, String dataDir, String options) {
        this.pgCtl = pgCtl;
        this.dataDir = dataDir;
        this.options = options;
    }

    /** The postmaster listening on {@code port}, found by its command line. */
    public static PostgresOutage stop(int port) throws IOException, InterruptedException {
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
        PostgresOutage outage = new PostgresOutage(pgCtl, dataDir, String.join(" ", args));
        outage.run("-m", "fast", "-w", "stop");
        return outage;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("-o", options, "-l", dataDir + File.separator + "restart.log", "-w", "start");
    }

    private void run(String... action) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(pgCtl.toString(), "-D", dataDir));
        command.addAll(List.of(action));
        Path log = Files.createTempFile("pg_ctl", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + Files.readString(log));
        }
    }
}
