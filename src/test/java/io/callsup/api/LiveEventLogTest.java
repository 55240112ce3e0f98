package io.callsup.api;

import io.agroal.api.AgroalDataSource;
import io.callsup.testsupport.SseStream;
import io.callsup.testsupport.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, the live stream across replicas: events are read from the shared log (PostgreSQL), so
 * a row another replica wrote (here: written over a separate connection, as that replica's
 * LiveEventLog would) reaches this replica's streams, to its own customer only; ids are the log's,
 * so a reconnect with Last-Event-ID on any replica replays exactly what was missed, once.
 */
@QuarkusTest
class LiveEventLogTest {

    @Inject
    AgroalDataSource db;

    @Test
    void anotherReplicasEventsReachThisReplicasStreamsOfTheirCustomerOnly() throws Exception {
        TestApi.Tenant a = TestApi.newTenant("A", true);
        TestApi.Tenant b = TestApi.newTenant("B", true);
        try (SseStream streamA = stream(a, null); SseStream streamB = stream(b, null)) {
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
        try (SseStream first = stream(a, null)) {
            seen = insert(a, "call.started", "c1");
            first.await(seen);
        }
        long m1 = insert(a, "supervision.ringing", "c1");
        insert(b, "call.started", "other-customer");
        long m2 = insert(a, "supervision.started", "c1");
        try (SseStream again = stream(a, seen)) {
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
        try (SseStream again = stream(a, kept - 2)) {
            assertThat(again.ready().getBoolean("complete")).isFalse();
            again.await(kept);
        }
        try (SseStream again = stream(a, kept - 1)) {
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

    private static SseStream stream(TestApi.Tenant t, Long lastEventId) throws InterruptedException {
        return new SseStream("http://localhost:" + RestAssured.port, t, lastEventId);
    }
}
