package io.callsup.testsupport;

import io.restassured.path.json.JsonPath;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A console's SSE connection to /api/v1/events (of one replica): keeps (id, name, data) of every
 * event and the raw text. Opening waits for the stream's first event, "ready".
 */
public final class SseStream implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<String[]> events = new CopyOnWriteArrayList<>();
    private final StringBuffer raw = new StringBuffer();
    private final CompletableFuture<?> running;

    /** {@code baseUrl} as http://host:port; {@code lastEventId} null for a fresh connection. */
    public SseStream(String baseUrl, TestApi.Tenant t, Long lastEventId) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/events"))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (t.username() + ":" + TestApi.PASSWORD).getBytes(StandardCharsets.UTF_8)));
        if (lastEventId != null) {
            request.header("Last-Event-ID", Long.toString(lastEventId));
        }
        String[] current = new String[2];
        running = HttpClient.newHttpClient().sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines())
                .thenAccept(r -> r.body().forEach(line -> {
                    raw.append(line).append('\n');
                    if (line.startsWith("id:")) {
                        current[0] = line.substring(3).strip();
                    } else if (line.startsWith("event:")) {
                        current[1] = line.substring(6).strip();
                    } else if (line.startsWith("data:")) {
                        events.add(new String[]{current[0], current[1], line.substring(5).strip()});
                    }
                }));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (events.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(events).as("the stream opened with 'ready'").isNotEmpty();
        assertThat(events.get(0)[1]).isEqualTo("ready");
    }

    /** The id "ready" carried: where this stream starts. */
    public long readyId() {
        return Long.parseLong(events.get(0)[0]);
    }

    public String readyData() {
        return events.get(0)[2];
    }

    public JsonPath ready() {
        return new JsonPath(readyData());
    }

    /** The data of event {@code id} (not "ready"). */
    public JsonPath event(long id) {
        return events.stream().filter(e -> e[0] != null && e[0].equals(Long.toString(id)) && !"ready".equals(e[1]))
                .map(e -> new JsonPath(e[2])).findFirst().orElseThrow();
    }

    public String raw() {
        return raw.toString();
    }

    /** Waits until event {@code id} arrived; fails the test if it did not within the wait. */
    public void await(long id) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!ids().contains(id) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ids()).as("event " + id + " on the stream").contains(id);
    }

    /** Ids of the events after "ready", in the order received (duplicates kept). */
    public List<Long> ids() {
        return events.stream().skip(1).map(e -> Long.parseLong(e[0])).toList();
    }

    /** Names (types) of the events after "ready", in the order received. */
    public List<String> names() {
        return events.stream().skip(1).map(e -> e[1]).toList();
    }

    /** Waits until the connection is over (the replica died): true if it ended within the wait. */
    public boolean awaitEnd(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!running.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return running.isDone();
    }

    @Override
    public void close() {
        running.cancel(true);
    }
}
