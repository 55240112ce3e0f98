package io.callsup.e2e;

import io.callsup.testsupport.TestApi;

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

/** A console's SSE connection to /api/v1/events of one replica: keeps (id, name, data) of every event. */
final class SseStream implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<String[]> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<?> running;

    SseStream(String baseUrl, TestApi.Tenant t, Long lastEventId) throws InterruptedException {
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
    long readyId() {
        return Long.parseLong(events.get(0)[0]);
    }

    String readyData() {
        return events.get(0)[2];
    }

    /** Ids of the events after "ready", in the order received (duplicates kept). */
    List<Long> ids() {
        return events.stream().skip(1).map(e -> Long.parseLong(e[0])).toList();
    }

    /** Names (types) of the events after "ready", in the order received. */
    List<String> names() {
        return events.stream().skip(1).map(e -> e[1]).toList();
    }

    /** Waits until the connection is over (the replica died): true if it ended within the wait. */
    boolean awaitEnd(Duration max) throws InterruptedException {
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
