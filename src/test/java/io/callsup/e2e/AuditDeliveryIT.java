package io.callsup.e2e;

import io.callsup.testsupport.ArtemisResource;
import io.callsup.testsupport.AuditConsumer;
import io.callsup.testsupport.EventSchema;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.ServiceProcess;
import io.callsup.testsupport.Stack;
import io.callsup.testsupport.sip.SippPhone;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.callsup.testsupport.sip.SippPhone.vars;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Audit delivery with the service as real processes: events committed while the broker is down
 * survive a SIGKILL of the service and are delivered once after the restart; then two replicas'
 * relays run against one database and every event arrives exactly once.
 */
class AuditDeliveryIT {

    private static final String ADDRESS = "callsup.supervision.audit";

    @Test
    void eventsSurviveACrashAndTwoReplicasNeitherDuplicateNorLose() throws Exception {
        Path dir = Path.of("target", "audit-it");
        try (Stack stack = new Stack().start(dir.resolve("service-a.log"))) {
            Pbx pbx = new Pbx(true);
            try (AuditConsumer consumer = AuditConsumer.subscribe(stack.artemisUrl(), ADDRESS,
                    "customerId = " + pbx.abc.customerId())) {
                // Committed, but the broker is away: the events wait in the outbox.
                ArtemisResource.stopBroker();
                for (int i = 0; i < 5; i++) {
                    dialUnknown(pbx, "*90" + (9000 + i));
                }
                stack.service().kill();
                ArtemisResource.startBroker();
                consumer.reconnect(Duration.ofSeconds(30));
                assertThat(consumer.drain(Duration.ofSeconds(2))).as("nothing may be published by a dead service").isEmpty();
                stack.service().start();
                List<AuditConsumer.Received> afterCrash = consumer.awaitCount(5, Duration.ofSeconds(60));
                assertOnceEach(afterCrash, 9000, 5);

                try (ServiceProcess replica = stack.startReplica(dir.resolve("service-b.log"))) {
                    for (int i = 0; i < 20; i++) {
                        dialUnknown(pbx, "*90" + (9100 + i));
                    }
                    List<AuditConsumer.Received> all = consumer.awaitCount(25, Duration.ofSeconds(60));
                    consumer.drain(Duration.ofSeconds(3)); // a duplicate would arrive late
                    all = consumer.all();
                    assertThat(all).hasSize(25);
                    assertOnceEach(all.subList(5, 25), 9100, 20);
                    assertThat(all.stream().map(AuditConsumer.Received::id).collect(Collectors.toSet())).hasSize(25);
                }
            }
        }
    }

    /** Every refusal of "*90<n>" for n in [first, first + count) arrived exactly once and is schema-valid. */
    private static void assertOnceEach(List<AuditConsumer.Received> events, int first, int count) {
        assertThat(events).hasSize(count);
        Set<String> dialled = new HashSet<>();
        for (AuditConsumer.Received e : events) {
            assertThat(e.shortType()).isEqualTo("denied");
            assertThat(EventSchema.violations(e.json())).as(e.body()).isEmpty();
            dialled.add(e.json().at("/data/dialled").asText());
        }
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < count; i++) {
            expected.add("*90" + (first + i));
        }
        assertThat(dialled).isEqualTo(expected);
    }

    /** Adam dials a supervision code for an extension nobody has: 404, and one "denied" event. */
    private static void dialUnknown(Pbx pbx, String dialled) throws InterruptedException {
        SippPhone phone = SippPhone.start("adam-" + dialled.substring(1), "uac_expect.xml", SippPhone.freshPort(),
                vars("user", pbx.adamUser, "domain", pbx.domain(), "dial", dialled, "tdomain", pbx.domain(),
                        "expect", "404", "rtp_ip", KamailioResource.HOST, "rtp_port", "9"),
                "-au", pbx.adamUser, "-ap", Pbx.SIP_PASSWORD);
        assertThat(phone.awaitExit(Pbx.SIP_WAIT)).as(phone.trace()).isZero();
    }
}
