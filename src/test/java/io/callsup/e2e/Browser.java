package io.callsup.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}, installed by bin/provision) driven by the
 * playwright-core pinned in {@code src/test/console-browser}, through its {@code driver.mjs}: one
 * JSON command per line, one answer per line, so a test checks phones and tones between clicks.
 * Installed with {@code npm ci --ignore-scripts} into {@code target/console-browser} (no browser
 * download: playwright-core has none). A missing node or Chromium fails the test.
 */
final class Browser implements AutoCloseable {

    static final Path SOURCE = Path.of("src/test/console-browser");
    static final Path HOME = Path.of("target/console-browser");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Writer in;
    private final BufferedReader out;
    private final Path stderr;

    Browser() throws IOException, InterruptedException {
        install();
        stderr = Files.createTempFile("console-browser", ".err");
        process = new ProcessBuilder("node", "driver.mjs").directory(HOME.toFile())
                .redirectError(stderr.toFile()).start();
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        if (first == null || !JSON.readTree(first).path("ok").asBoolean()) {
            throw new IllegalStateException("the browser driver did not start: " + first + "\n" + Files.readString(stderr));
        }
    }

    private static synchronized void install() throws IOException, InterruptedException {
        Files.createDirectories(HOME);
        Files.copy(SOURCE.resolve("driver.mjs"), HOME.resolve("driver.mjs"), StandardCopyOption.REPLACE_EXISTING);
        String lock = Files.readString(SOURCE.resolve("package-lock.json")) + Files.readString(SOURCE.resolve("package.json"));
        Path stamp = HOME.resolve(".installed");
        if (Files.isDirectory(HOME.resolve("node_modules/playwright-core")) && Files.isRegularFile(stamp)
                && Files.readString(stamp).equals(lock)) {
            return;
        }
        for (String f : List.of("package.json", "package-lock.json")) {
            Files.copy(SOURCE.resolve(f), HOME.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        Process npm = new ProcessBuilder("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline",
                "--loglevel=error").directory(HOME.toFile()).redirectErrorStream(true).start();
        String log = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!npm.waitFor(300, TimeUnit.SECONDS) || npm.exitValue() != 0) {
            throw new IllegalStateException("npm ci of playwright-core failed:\n" + log);
        }
        Files.writeString(stamp, lock);
    }

    /** Runs one driver command; a failed step fails the test with the driver's message and the page's console. */
    JsonNode send(String op, Object... kv) throws IOException {
        Map<String, Object> cmd = new HashMap<>();
        cmd.put("op", op);
        for (int i = 0; i < kv.length; i += 2) {
            cmd.put((String) kv[i], kv[i + 1]);
        }
        in.write(JSON.writeValueAsString(cmd) + "\n");
        in.flush();
        String line = out.readLine();
        if (line == null) {
            throw new IllegalStateException("the browser driver exited:\n" + Files.readString(stderr));
        }
        JsonNode answer = JSON.readTree(line);
        if (!answer.path("ok").asBoolean()) {
            throw new AssertionError("browser step " + cmd + " failed: " + answer.path("error").asText());
        }
        return answer.path("value");
    }

    void open(String page, String url, int width, int height) throws IOException {
        send("open", "page", page, "url", url, "width", width, "height", height);
    }

    void click(String page, String sel) throws IOException {
        send("click", "page", page, "sel", sel);
    }

    void fill(String page, String sel, String value) throws IOException {
        send("fill", "page", page, "sel", sel, "value", value);
    }

    void waitFor(String page, String sel) throws IOException {
        send("waitFor", "page", page, "sel", sel);
    }

    /** Waits until the element is not visible (hidden, or display none through the page's CSS). */
    void waitHidden(String page, String sel) throws IOException {
        send("waitFor", "page", page, "sel", sel, "state", "hidden");
    }

    void waitGone(String page, String sel) throws IOException {
        send("waitFor", "page", page, "sel", sel, "state", "detached");
    }

    /** Waits until the elements' text contains {@code text}; returns that text. */
    String waitText(String page, String sel, String text) throws IOException {
        return send("waitText", "page", page, "sel", sel, "text", text).asText();
    }

    int count(String page, String sel) throws IOException {
        return send("count", "page", page, "sel", sel).asInt();
    }

    List<String> texts(String page, String sel) throws IOException {
        List<String> texts = new ArrayList<>();
        send("texts", "page", page, "sel", sel).forEach(t -> texts.add(t.asText()));
        return texts;
    }

    String attr(String page, String sel, String attr) throws IOException {
        return send("attr", "page", page, "sel", sel, "attr", attr).asText();
    }

    void screenshot(String page, String file) throws IOException {
        Files.createDirectories(Path.of("docs"));
        send("shot", "page", page, "path", Path.of("docs", file).toAbsolutePath().toString());
    }

    /** A request sent from the page with its signed-in token: what a user could forge in the devtools. */
    JsonNode forge(String page, String method, String path, Object body) throws IOException {
        return send("forge", "page", page, "method", method, "path", path, "body", body);
    }

    @Override
    public void close() throws IOException {
        try {
            in.write("{\"op\":\"close\"}\n");
            in.flush();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(stderr);
    }
}
