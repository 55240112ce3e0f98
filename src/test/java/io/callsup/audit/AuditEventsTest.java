package io.callsup.audit;

import io.callsup.supervision.Denial;

import io.callsup.supervision.AuditTrail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.model.TriggerSource;
import io.callsup.testsupport.AuditConsumer;
import io.callsup.testsupport.EventSchema;
import io.callsup.testsupport.TestApi;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.callsup.testsupport.Management;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.jms.DeliveryMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/**
 * Audit events written through the real {@link AuditTrail} inside the session's transaction, relayed
 * by the service's own relay to the real broker, and read by a JMS consumer: format, JMS properties,
 * schema, masking, selectors, and that a rolled-back change emits nothing. No SIP involved.
 */
@QuarkusTest
class AuditEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Inject
    AuditTrail audit;

    @Inject
    OutboxRelay relay;

    @Test
    void theStoryArrivesInOrderWithPropertiesAndValidatesAgainstTheSchema() throws Exception {
        AuditFixtures abc = new AuditFixtures(audit);
        try (AuditConsumer billing = AuditConsumer.subscribe(AuditFixtures.selector(abc.customerId()))) {
            UUID session = abc.story(120);
            abc.deniedUnknownExtension();
            List<AuditConsumer.Received> events = billing.awaitCount(6, WAIT);
            assertThat(billing.drain(Duration.ofMillis(500))).hasSize(6);

            assertThat(events).extracting(AuditConsumer.Received::shortType)
                    .containsExactly("started", "mode_changed", "mode_changed", "mode_changed", "ended", "denied");
            for (AuditConsumer.Received e : events) {
                assertThat(EventSchema.violations(e.json())).as(e.body()).isEmpty();
                assertThat(e.properties()).containsEntry("eventType", e.type())
                        .containsEntry("customerId", abc.customerId())
                        .containsEntry("_AMQ_DUPL_ID", e.id())
                        .containsEntry("contentType", "application/cloudevents+json; charset=UTF-8");
                assertThat(e.deliveryMode()).isEqualTo(DeliveryMode.PERSISTENT);
                assertThat(e.json().path("specversion").asText()).isEqualTo("1.0");
                assertThat(e.json().path("customerid").asLong()).isEqualTo(abc.customerId());
            }
            List<AuditConsumer.Received> sessionEvents = events.subList(0, 5);
            assertThat(sessionEvents).extracting(AuditConsumer.Received::sessionId).containsOnly(session.toString());
            assertThat(sessionEvents).extracting(AuditConsumer.Received::sequence).containsExactly(1, 2, 3, 4, 5);
            assertThat(sessionEvents).allSatisfy(e -> assertThat(e.properties())
                    .containsEntry("JMSXGroupID", session.toString()).containsEntry("sessionId", session.toString()));

            JsonNode started = events.get(0).json().path("data");
            assertThat(started.path("sessionId").asText()).isEqualTo(session.toString());
            assertThat(started.path("customer").path("name").asText()).isEqualTo("ABC");
            assertThat(started.path("supervisor").path("accountId").asLong()).isEqualTo(abc.adam);
            assertThat(started.path("supervisor").path("extension").asText()).isEqualTo("745");
            assertThat(started.path("agent").path("accountId").asLong()).isEqualTo(abc.john);
            assertThat(started.path("agent").path("extension").asText()).isEqualTo("744");
            assertThat(started.path("credential").path("kind").asText()).isEqualTo("sip-digest");
            assertThat(started.path("credential").path("realm").asText()).isEqualTo(abc.tenant.sipDomain());
            assertThat(started.path("authorisedBy").path("kind").asText()).isEqualTo("hunt-group");
            assertThat(started.path("authorisedBy").path("huntGroupId").asLong()).isEqualTo(abc.support);
            assertThat(started.path("authorisedBy").path("huntGroupName").asText()).isEqualTo("Support");
            assertThat(started.path("callId").asText()).isEqualTo("call-" + session);
            assertThat(started.path("client").path("number").asText()).isEqualTo("+**********789");
            assertThat(started.path("client").path("masked").asBoolean()).isTrue();
            assertThat(events.get(0).body()).doesNotContain("30123456");
            assertThat(started.path("mode").asText()).isEqualTo("spy");
            assertThat(started.path("trigger").asText()).isEqualTo("code");

            assertThat(events.subList(1, 4)).extracting(e -> e.json().path("data").path("from").asText() + ">"
                            + e.json().path("data").path("to").asText() + "/" + e.json().path("data").path("trigger").asText())
                    .containsExactly("spy>whisper/rfc4733", "whisper>barge/rfc4733", "barge>spy/rfc4733");

            JsonNode ended = events.get(4).json().path("data");
            assertThat(ended.path("reason").asText()).isEqualTo("call-ended");
            JsonNode perMode = ended.path("modeDurationsMs");
            long spy = perMode.path("spy").asLong();
            long whisper = perMode.path("whisper").asLong();
            long barge = perMode.path("barge").asLong();
            // Spy twice (~240 ms), whisper and barge once each (~120 ms); sleeps bound them from below.
            assertThat(whisper).isGreaterThanOrEqualTo(100);
            assertThat(barge).isGreaterThanOrEqualTo(100);
            assertThat(spy).isGreaterThanOrEqualTo(200);
            assertThat(ended.path("durationMs").asLong()).isEqualTo(spy + whisper + barge);
            assertThat(Instant.parse(ended.path("endedAt").asText())).isAfter(Instant.parse(ended.path("startedAt").asText()));

            JsonNode denied = events.get(5).json();
            assertThat(denied.has("subject")).isFalse();
            assertThat(denied.path("data").path("reason").asText()).isEqualTo("unknown-extension");
            assertThat(denied.path("data").path("trigger").asText()).isEqualTo("code");
            assertThat(denied.path("data").path("dialled").asText()).isEqualTo("*90799");
            assertThat(denied.path("data").path("supervisor").path("extension").asText()).isEqualTo("745");
        }
    }

    @Test
    void theClientNumberIsShownOnlyWhenTheCustomerOptsIn() throws Exception {
        AuditFixtures abc = new AuditFixtures(audit);
        TestApi.admin().get("/api/v1/admin/customers/" + abc.customerId()).then().statusCode(200)
                .body("showClientNumber", equalTo(false));
        abc.showClientNumber(true);
        // An update that leaves the optional field out keeps the setting.
        TestApi.admin().body(Map.of("name", "ABC renamed", "sipDomain", abc.tenant.sipDomain(), "supervisionEnabled", true))
                .put("/api/v1/admin/customers/" + abc.customerId()).then().statusCode(200)
                .body("showClientNumber", equalTo(true));
        try (AuditConsumer billing = AuditConsumer.subscribe(AuditFixtures.selector(abc.customerId()))) {
            abc.start(SupervisionMode.WHISPER);
            AuditConsumer.Received started = billing.awaitCount(1, WAIT).get(0);
            assertThat(EventSchema.violations(started.json())).isEmpty();
            assertThat(started.json().path("data").path("client").path("number").asText()).isEqualTo(AuditFixtures.CLIENT_NUMBER);
            assertThat(started.json().path("data").path("client").path("masked").asBoolean()).isFalse();
        }
    }

    @Test
    void selectorsPickByEventTypeAndCustomer() throws Exception {
        AuditFixtures abc = new AuditFixtures(audit);
        AuditFixtures other = new AuditFixtures(audit);
        try (AuditConsumer endsOnly = AuditConsumer.subscribe(AuditFixtures.selector(abc.customerId())
                + " AND eventType = 'io.callsup.supervision.ended'")) {
            other.story(0);
            UUID session = abc.story(0);
            List<AuditConsumer.Received> got = endsOnly.awaitCount(1, WAIT);
            assertThat(endsOnly.drain(Duration.ofSeconds(1))).hasSize(1);
            assertThat(got.get(0).shortType()).isEqualTo("ended");
            assertThat(got.get(0).sessionId()).isEqualTo(session.toString());
        }
    }

    @Test
    void aRolledBackChangeEmitsNothing() throws Exception {
        AuditFixtures abc = new AuditFixtures(audit);
        try (AuditConsumer billing = AuditConsumer.subscribe(AuditFixtures.selector(abc.customerId()))) {
            UUID id = abc.start(SupervisionMode.SPY);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
                SupervisionSession s = SupervisionSession.findById(id);
                s.mode = SupervisionMode.BARGE;
                audit.modeChanged(s, SupervisionMode.SPY, SupervisionMode.BARGE, TriggerSource.API);
                throw new IllegalStateException("media switch failed after the audit write");
            })).hasMessageContaining("media switch failed");
            abc.switchMode(id, SupervisionMode.WHISPER, TriggerSource.SIP_INFO);
            List<AuditConsumer.Received> got = billing.awaitCount(2, WAIT);
            assertThat(billing.drain(Duration.ofSeconds(1))).hasSize(2);
            assertThat(got).extracting(AuditConsumer.Received::shortType).containsExactly("started", "mode_changed");
            assertThat(got.get(1).json().path("data").path("to").asText()).isEqualTo("whisper");
            // The rolled-back change did not consume a sequence number either.
            assertThat(got).extracting(AuditConsumer.Received::sequence).containsExactly(1, 2);
            long rows = QuarkusTransaction.requiringNew().call(() -> OutboxEvent.count("sessionId", id));
            assertThat(rows).isEqualTo(2);
        }
    }

    @Test
    void theAuditTrailRefusesToWriteOutsideATransaction() {
        AuditFixtures abc = new AuditFixtures(audit);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> audit.denied(new Denial(abc.customerId(), abc.adam,
                        null, "*90799", null, TriggerSource.CODE, "UNKNOWN_EXTENSION", null, null)))
                .hasRootCauseInstanceOf(jakarta.transaction.TransactionRequiredException.class);
    }

    @Test
    void theSchemaRejectsEventsThatBreakIt() throws Exception {
        AuditFixtures abc = new AuditFixtures(audit);
        try (AuditConsumer billing = AuditConsumer.subscribe(AuditFixtures.selector(abc.customerId()))) {
            abc.start(SupervisionMode.SPY);
            JsonNode valid = billing.awaitCount(1, WAIT).get(0).json();
            assertThat(EventSchema.violations(valid)).isEmpty();

            ObjectNode noSession = valid.deepCopy();
            ((ObjectNode) noSession.path("data")).remove("sessionId");
            assertThat(EventSchema.violations(noSession)).isNotEmpty();

            ObjectNode badMode = valid.deepCopy();
            ((ObjectNode) badMode.path("data")).put("mode", "eavesdrop");
            assertThat(EventSchema.violations(badMode)).isNotEmpty();

            ObjectNode badTime = valid.deepCopy();
            badTime.put("time", "yesterday");
            assertThat(EventSchema.violations(badTime)).isNotEmpty();

            ObjectNode unknownMember = valid.deepCopy();
            unknownMember.put("extra", 1);
            assertThat(EventSchema.violations(unknownMember)).isNotEmpty();
        }
    }

    @Test
    void metricsAndHealthReportTheRelay() {
        Management.given().get("/q/metrics").then().statusCode(200)
                .body(containsString("callsup_audit_outbox_backlog"))
                .body(containsString("callsup_audit_publish_failures_total"))
                .body(containsString("callsup_audit_relay_lag_seconds"))
                .body(containsString("callsup_audit_events_published_total"));
        Management.given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("Artemis audit broker"));
        Management.given().get("/q/health/live").then().statusCode(200)
                .body("checks.name", not(hasItem(containsString("Artemis"))));
    }

    @Test
    void pruningDeletesOnlySentRowsOlderThanTheRetention() {
        relay.pause();
        try {
            List<UUID> ids = IntStream.range(0, 3).mapToObj(i -> UUID.randomUUID()).toList();
            QuarkusTransaction.requiringNew().run(() -> {
                var em = OutboxEvent.getEntityManager();
                String insert = "INSERT INTO audit_outbox (event_id, event_type, payload, created_at, sent_at) VALUES (?1, 'test', '{}', ?2, ?3)";
                Instant longAgo = Instant.now().minus(Duration.ofDays(30));
                em.createNativeQuery(insert).setParameter(1, ids.get(0)).setParameter(2, longAgo).setParameter(3, longAgo).executeUpdate();
                em.createNativeQuery(insert).setParameter(1, ids.get(1)).setParameter(2, Instant.now()).setParameter(3, Instant.now()).executeUpdate();
                em.createNativeQuery(insert).setParameter(1, ids.get(2)).setParameter(2, longAgo).setParameter(3, null).executeUpdate();
            });
            assertThat(relay.pruneNow()).isGreaterThanOrEqualTo(1);
            List<UUID> left = QuarkusTransaction.requiringNew().call(() -> OutboxEvent.<OutboxEvent>list("eventId in ?1", ids)
                    .stream().map(r -> r.eventId).toList());
            assertThat(left).containsExactlyInAnyOrder(ids.get(1), ids.get(2));
            QuarkusTransaction.requiringNew().run(() -> OutboxEvent.delete("eventId", ids.get(2)));
        } finally {
            relay.resume();
        }
    }
}
