package io.callsup.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Redocly's OpenAPI linter, at the exact version of {@code src/test/openapi-lint/package-lock.json},
 * installed with {@code npm ci} into {@code target/openapi-lint} once per lock-file content (a stamp
 * holds its SHA-256), from npm's cache when it has the packages ({@code --prefer-offline}). Node.js
 * and npm come from {@code bin/provision}. A missing npm fails the test: the lint is part of the
 * test command, not an optional extra.
 */
final class OpenApiLinter {

    static final Path SOURCE = Path.of("src/test/openapi-lint");
    static final Path HOME = Path.of("target/openapi-lint");
    static final Path CONFIG = SOURCE.resolve("redocly.yaml");
    private static final Path CLI = HOME.resolve("node_modules/@redocly/cli/bin/cli.js");
    private static final Path STAMP = HOME.resolve(".installed");
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int exitCode, int errors, int warnings, List<JsonNode> problems, String stdout, String stderr) {

        List<String> ruleIds() {
            return problems.stream().map(p -> p.path("ruleId").asText()).distinct().sorted().toList();
        }
    }

    private OpenApiLinter() {
    }

    /** Installs the pinned linter unless the stamp says this lock file is already installed. */
    static synchronized void ensureInstalled() throws IOException, InterruptedException {
        Files.createDirectories(HOME);
        try (FileChannel channel = FileChannel.open(HOME.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
            String want = lockDigest();
            if (Files.isRegularFile(CLI) && Files.isRegularFile(STAMP)
                    && Files.readString(STAMP).strip().equals(want)) {
                return;
            }
            for (String file : List.of("package.json", "package-lock.json")) {
                Files.copy(SOURCE.resolve(file), HOME.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
            // No install scripts: the linter needs none, and none of its 240 packages should run code here.
            Run npm = run(HOME, 600, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline",
                    "--loglevel=error");
            if (npm.exitCode != 0 || !Files.isRegularFile(CLI)) {
                throw new IllegalStateException("npm ci of the OpenAPI linter failed (exit " + npm.exitCode + "):\n"
                        + npm.stdout + npm.stderr);
            }
            Files.writeString(STAMP, want + "\n");
        }
    }

    /** Lints {@code document} with the repository's rule set; the JSON report is parsed. */
    static Result lint(Path document) throws IOException, InterruptedException {
        ensureInstalled();
        Run run = run(Path.of("."), 120, "node", CLI.toString(), "lint", document.toString(),
                "--config", CONFIG.toString(), "--format=json");
        JsonNode report;
        try {
            report = JSON.readTree(run.stdout);
        } catch (IOException e) {
            throw new IllegalStateException("the linter wrote no JSON report (exit " + run.exitCode + "):\n"
                    + run.stdout + run.stderr, e);
        }
        if (report == null || !report.has("totals")) {
            throw new IllegalStateException("the linter wrote no totals (exit " + run.exitCode + "):\n"
                    + run.stdout + run.stderr);
        }
        List<JsonNode> problems = new ArrayList<>();
        report.path("problems").forEach(problems::add);
        return new Result(run.exitCode, report.path("totals").path("errors").asInt(-1),
                report.path("totals").path("warnings").asInt(-1), problems, run.stdout, run.stderr);
    }

    private record Run(int exitCode, String stdout, String stderr) {
    }

    private static Run run(Path dir, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("openapi-lint", ".out");
        Path err = Files.createTempFile("openapi-lint", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            // Redocly reports usage to its vendor and looks for updates unless told not to.
            builder.environment().put("REDOCLY_TELEMETRY", "off");
            builder.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
            builder.environment().put("NO_COLOR", "1");
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + command[0] + ": Node.js and npm are needed for the "
                        + "OpenAPI lint (bin/provision installs them)", e);
            }
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " took over " + timeoutSeconds + " s");
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String lockDigest() throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(SOURCE.resolve("package.json")));
            sha.update(Files.readAllBytes(SOURCE.resolve("package-lock.json")));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
