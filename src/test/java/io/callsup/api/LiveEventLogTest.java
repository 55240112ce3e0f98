package io.callsup.api;

import io.agroal.api.AgroalDataSource;
import io.callsup.testsupport.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, the live stream across replicas: events are read from the shared log (PostgreSQL), so
 * a row another replica wrote (here: written over a separate connection, as that replica's
 * LiveEventLog would) reaches this replica's streams, to its own customer only; ids are the log's,
 * so a reconnect with Last-Event-ID on any replica replays exactly what was missed, once.
 */
@QuarkusTest
class LiveEventLogTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    AgroalDataSource db;

    @Test
    void anotherReplicasEventsReachThisReplicasStreamsOfTheirCustomerOnly() throws Exception {
        TestApi.Tenant a = TestApi.newTenant("A", true);
        TestApi.Tenant b = TestApi.newTenant("B", true);
        try (Stream streamA = new Stream(a, null); Stream streamB = new Stream(b, null)) {
            long idA = insert(a, "supervision.started", "call-a");
            long idB = insert(b, "supervision.started", "call-b");
            streamA.await(idA);
            streamB.await(idB);
            assertThat(streamA.event(idA).getString("callId")).isEqualTo("call-a");
            assertThat(streamA.event(idA).getString("type")).isEqualTo("supervision.started");
            assertThat(streamB.event(idB).getString("callId")).isEqualTo("call-b");
            Thread.sleep(500);
            assertThat(streamA.ids()).as("A's stream").containsExactly(idA);
            assertThat(streamB.ids()).as("B's stream").containsExactly(idB);
            assertThat(streamA.raw()).doesNotContain("call-b");
        }
    }

    @Test
    void reconnectingWithLastEventIdReplaysWhatWasMissedOnceInOrderThenGoesLive() throws Exception {
        TestApi.Tenant a = TestApi.newTenant("A", true);
        TestApi.Tenant b = TestApi.newTenant("B", true);
        long seen;
        try (Stream first = new Stream(a, null)) {
            seen = insert(a, "call.started", "c1");
            first.await(seen);
        }
        long m1 = insert(a, "supervision.ringing", "c1");
        insert(b, "call.started", "other-customer");
        long m2 = insert(a, "supervision.started", "c1");
        try (Stream again = new Stream(a, seen)) {
            assertThat(again.ready().getInt("replayed")).isEqualTo(2);
            assertThat(again.ready().getBoolean("complete")).isTrue();
            again.await(m2);
            long live = insert(a, "supervision.ended", "c1");
            again.await(live);
            Thread.sleep(500);
            assertThat(again.ids()).as("replayed, then live, each once").containsExactly(m1, m2, live);
            assertThat(again.raw()).doesNotContain("other-customer");
        }
    }

    @Test
    void aLastEventIdOlderThanTheRetentionSaysTheReplayIsIncomplete() throws Exception {
        TestApi.Tenant a = TestApi.newTenant("A", true);
        long kept = insert(a, "call.started", "c1");
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE live_event_horizon SET pruned_upto = greatest(pruned_upto, " + (kept - 1) + ")");
        }
        try (Stream again = new Stream(a, kept - 2)) {
            assertThat(again.ready().getBoolean("complete")).isFalse();
            again.await(kept);
        }
        try (Stream again = new Stream(a, kept - 1)) {
            assertThat(again.ready().getBoolean("complete")).isTrue();
        }
    }

    @Test
    void aLastEventIdThatIsNotAnIdIsRefusedWithAProblem() {
        TestApi.Tenant a = TestApi.newTenant("A", true);
        for (String bad : List.of("abc", "-1", "1e3", "99999999999999999999")) {
            RestAssured.given().auth().preemptive().basic(a.username(), TestApi.PASSWORD)
                    .header("Accept", "text/event-stream").header("Last-Event-ID", bad)
                    .get("/api/v1/events").then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", org.hamcrest.Matchers.equalTo("urn:callsup:problem:invalid-last-event-id"));
        }
    }

    private long insert(TestApi.Tenant t, String type, String callId) throws Exception {
        String payload = "{\"type\":\"" + type + "\",\"at\":\"2026-12-02T04:00:00Z\",\"callId\":\"" + callId
                + "\",\"sessionId\":\"" + UUID.randomUUID() + "\"}";
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(
                "INSERT INTO live_event (customer_id, payload) VALUES (?, ?) RETURNING id")) {
            p.setLong(1, t.customerId());
            p.setString(2, payload);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** An SSE client that keeps (id, name, data) of every event. */
    private static final class Stream implements AutoCloseable {
        private final List<String[]> events = new CopyOnWriteArrayList<>();
        private final StringBuffer raw = new StringBuffer();
        private final CompletableFuture<?> running;

        Stream(TestApi.Tenant t, Long lastEventId) throws InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port
                            + "/api/v1/events"))
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

        JsonPath ready() {
            return new JsonPath(events.get(0)[2]);
        }

        List<Long> ids() {
            return events.stream().skip(1).map(e -> Long.parseLong(e[0])).toList();
        }

        JsonPath event(long id) {
            return events.stream().filter(e -> e[0] != null && e[0].equals(Long.toString(id)) && !"ready".equals(e[1]))
                    .map(e -> new JsonPath(e[2])).findFirst().orElseThrow();
        }

        String raw() {
            return raw.toString();
        }

        void await(long id) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!ids().contains(id) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(ids()).as("event " + id + " on the stream").contains(id);
        }

        @Override
        public void close() {
            running.cancel(true);
        }
    }
}
