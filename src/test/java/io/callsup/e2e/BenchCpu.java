package io.callsup.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * CPU and resident memory of one system's processes, from /proc: utime + stime (all threads) and
 * VmRSS of every process of the system, the set found again at each reading so forked workers count.
 */
final class BenchCpu {

    /** Clock ticks per second of /proc/PID/stat (USER_HZ; 100 on Linux x86-64). */
    static final double HZ = 100;

    private final Supplier<Map<String, List<Long>>> processes;

    /** {@code processes}: part name (e.g. "kamailio") -> its pids right now. */
    BenchCpu(Supplier<Map<String, List<Long>>> processes) {
        this.processes = processes;
    }

    /** Ticks per part right now. */
    Map<String, Long> ticks() {
        Map<String, Long> t = new LinkedHashMap<>();
        processes.get().forEach((part, pids) -> t.put(part, pids.stream().mapToLong(BenchCpu::ticksOf).sum()));
        return t;
    }

    /** Resident memory per part right now (sum of the processes' Pss), MiB. */
    Map<String, Double> rssMib() {
        Map<String, Double> m = new LinkedHashMap<>();
        processes.get().forEach((part, pids) -> m.put(part, pids.stream().mapToLong(BenchCpu::rssKbOf).sum() / 1024.0));
        return m;
    }

    /** Resident memory per part right now (sum of the processes' VmRSS, shared pages counted per process), MiB. */
    Map<String, Double> vmRssMib() {
        Map<String, Double> m = new LinkedHashMap<>();
        processes.get().forEach((part, pids) -> m.put(part, pids.stream().mapToLong(BenchCpu::vmRssKbOf).sum() / 1024.0));
        return m;
    }

    static long vmRssKbOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // exited
        }
        return 0;
    }

    /** CPU milliseconds per second per part between two {@link #ticks()} readings {@code seconds} apart. */
    static Map<String, Double> msPerSecond(Map<String, Long> before, Map<String, Long> after, double seconds) {
        Map<String, Double> r = new LinkedHashMap<>();
        after.forEach((part, t) -> r.put(part, (t - before.getOrDefault(part, 0L)) / HZ * 1000 / seconds));
        return r;
    }

    static long ticksOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) may hold spaces: count fields after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /**
     * Proportional set size (Pss, smaps_rollup), else VmRSS: Kamailio's and PostgreSQL's workers
     * share one memory segment, which a sum of their VmRSS would count once per worker.
     */
    static long rssKbOf(long pid) {
        try {
            Path rollup = Path.of("/proc", Long.toString(pid), "smaps_rollup");
            if (Files.exists(rollup)) {
                for (String line : Files.readAllLines(rollup)) {
                    if (line.startsWith("Pss:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // exited
        }
        return 0;
    }

    /** The pid in {@code pidfile} and all its descendants; empty if there is none. */
    static List<Long> treeOf(Path pidfile) {
        try {
            return treeOf(Long.parseLong(Files.readString(pidfile).trim()));
        } catch (IOException | NumberFormatException e) {
            return List.of();
        }
    }

    static List<Long> treeOf(long pid) {
        List<Long> all = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(h -> {
            all.add(h.pid());
            h.descendants().forEach(d -> all.add(d.pid()));
        });
        return all;
    }

    /** Descendants of this JVM whose command line contains {@code needle} (e.g. the service's jar). */
    static List<Long> childrenMatching(String needle) {
        List<Long> r = new ArrayList<>();
        ProcessHandle.current().descendants().forEach(h -> {
            String cmd = h.info().commandLine().orElse("");
            if (cmd.contains(needle)) {
                r.add(h.pid());
            }
        });
        return r;
    }

    static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
