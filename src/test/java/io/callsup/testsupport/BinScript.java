package io.callsup.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the repository's {@code bin/} control scripts, the same ones the demo uses, so tests
 * start the real programs exactly as an engineer would.
 */
public final class BinScript {

    private BinScript() {
    }

    public static Path locate(String name) {
        Path local = Path.of("bin", name).toAbsolutePath();
        if (Files.isExecutable(local)) {
            return local;
        }
        String bin = System.getenv("CALLSUP_BIN");
        if (bin != null && Files.isExecutable(Path.of(bin, name))) {
            return Path.of(bin, name);
        }
        throw new IllegalStateException("no executable bin/" + name + " under " + Path.of("").toAbsolutePath()
                + " and CALLSUP_BIN (" + bin + ") has none either");
    }

    /** Runs {@code bin/<name> <action>} with {@code env}; its output goes to {@code runDir/control.out}. */
    public static void run(String name, String action, Map<String, String> env, Path runDir) {
        ProcessBuilder pb = new ProcessBuilder(locate(name).toString(), action);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Path out = runDir.resolve("control.out");
        try {
            Files.createDirectories(runDir);
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
            Process p = pb.start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(name + " " + action + " hung; see " + out);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(name + " " + action + " exited " + p.exitValue() + ":\n"
                        + tail(out));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String tail(Path file) {
        try {
            var lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
