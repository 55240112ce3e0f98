package io.callsup.audit;

import io.callsup.supervision.AuditTrail;

import io.callsup.model.EndReason;
import io.callsup.model.SupervisionMode;
import io.callsup.model.TriggerSource;
import io.callsup.testsupport.ArtemisResource;
import io.callsup.testsupport.AuditConsumer;
import io.callsup.testsupport.EventSchema;
import io.callsup.testsupport.Management;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * The broker goes away in the middle of the story and comes back: the service keeps supervising,
 * liveness and readiness stay UP (readiness reports the broker unreachable), the outbox backlog and
 * the failure counter grow, and after the restart every event arrives once, in order.
 */
@QuarkusTest
class BrokerOutageTest {

    @Inject
    AuditTrail audit;

    @Inject
    OutboxRelay relay;

    @Test
    void everyEventArrivesOnceAfterTheBrokerComesBack() throws Exception {
        AuditFixtures abc = new AuditFixtures(audit);
        try (AuditConsumer billing = AuditConsumer.subscribe(AuditFixtures.selector(abc.customerId()))) {
            UUID session = abc.start(SupervisionMode.SPY);
            abc.switchMode(session, SupervisionMode.WHISPER, TriggerSource.RFC4733);
            assertThat(billing.awaitCount(2, Duration.ofSeconds(15))).hasSize(2);
            double failuresBefore = failures();

            ArtemisResource.stopBroker();
            try {
                abc.switchMode(session, SupervisionMode.BARGE, TriggerSource.RFC4733);
                abc.switchMode(session, SupervisionMode.SPY, TriggerSource.SIP_INFO);
                abc.deniedUnknownExtension();
                abc.end(session, EndReason.SUPERVISOR_HUNG_UP);
                await("the relay to notice the outage", () -> Boolean.FALSE.equals(relay.brokerReachable()));
                assertThat(RelayReplica.unsent(abc.customerId())).hasSize(4);
                Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
                Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                        .body("checks.find { it.name == 'Artemis audit broker' }.data.broker", equalTo("unreachable"));
                await("the backlog gauge", () -> relay.backlog() >= 4);
                assertThat(failures()).isGreaterThan(failuresBefore);
                Thread.sleep(2000); // a few back-off rounds
            } finally {
                ArtemisResource.startBroker();
            }
            billing.reconnect(Duration.ofSeconds(20));

            List<AuditConsumer.Received> got = billing.awaitCount(6, Duration.ofSeconds(60));
            assertThat(billing.drain(Duration.ofSeconds(2))).hasSize(6);
            assertThat(new HashSet<>(got.stream().map(AuditConsumer.Received::id).toList())).hasSize(6);
            assertThat(got).extracting(AuditConsumer.Received::shortType)
                    .containsExactly("started", "mode_changed", "mode_changed", "mode_changed", "denied", "ended");
            assertThat(got.stream().filter(r -> r.sessionId() != null).map(AuditConsumer.Received::sequence))
                    .containsExactly(1, 2, 3, 4, 5);
            assertThat(got).allSatisfy(r -> assertThat(EventSchema.violations(r.json())).isEmpty());
            assertThat(got.get(5).json().path("data").path("reason").asText()).isEqualTo("supervisor-hung-up");
            assertThat(RelayReplica.unsent(abc.customerId())).isEmpty();
            Management.given().get("/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'Artemis audit broker' }.data.broker", equalTo("reachable"));
        }
    }

    private static double failures() {
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("callsup_audit_publish_failures_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
