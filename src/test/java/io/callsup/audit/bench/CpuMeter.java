package io.callsup.audit.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time used by this JVM (relay, broker, consumer) and by an embedded PostgreSQL (postmaster,
 * its live backends, and the backends it has reaped). On a shared machine the wall-clock rate says
 * mostly how busy the neighbours were; CPU per event does not, so the benchmark reports both.
 */
final class CpuMeter {

    private static final double TICK_NS = 1e9 / 100; // USER_HZ is 100 on Linux
    private final long postmaster;
    private long jvmStart;
    private long pgStart;

    CpuMeter(int pgPort) {
        this.postmaster = findPostmaster(pgPort);
    }

    void start() {
        jvmStart = jvmNanos();
        pgStart = pgNanos();
    }

    /** {jvm, postgres} CPU nanoseconds since {@link #start()}; postgres is -1 if its processes were not found. */
    long[] stop() {
        long pg = pgNanos();
        return new long[] {jvmNanos() - jvmStart, pg < 0 ? -1 : pg - pgStart};
    }

    private static long jvmNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private long pgNanos() {
        if (postmaster < 0) {
            return -1;
        }
        long ticks = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] f = stat(p);
                if (f == null) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid == postmaster) {
                    // fields after the command: utime stime cutime cstime are 14..17 (1-based)
                    ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]) + Long.parseLong(f[15]) + Long.parseLong(f[16]);
                } else if (Long.parseLong(f[3]) == postmaster) {
                    ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return (long) (ticks * TICK_NS);
    }

    /** /proc/PID/stat split into fields, the command (field 2, may hold spaces) replaced by "x". */
    private static String[] stat(Path proc) {
        try {
            String s = Files.readString(proc.resolve("stat"));
            int close = s.lastIndexOf(')');
            return (s.substring(0, s.indexOf('(')) + "x" + s.substring(close + 1)).trim().split("\\s+");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long findPostmaster(int port) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    String[] args = cmd.split("\0");
                    if (args.length > 0 && args[0].endsWith("/postgres")) {
                        for (int i = 0; i + 1 < args.length; i++) {
                            if (args[i].equals("-p") && args[i + 1].equals(Integer.toString(port))) {
                                return Long.parseLong(name);
                            }
                        }
                    }
                } catch (IOException | RuntimeException ignored) {
                    // the process went away
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}
