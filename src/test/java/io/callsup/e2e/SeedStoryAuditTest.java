package io.callsup.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.callsup.calls.ActiveCall;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.AuditConsumer;
import io.callsup.testsupport.EventSchema;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's story through real SIP (Kamailio, rtpengine, SIPp phones), seen by a billing consumer
 * on the audit address: a client calls John (744), Adam dials *90744, presses 1, 2 and 0 (RFC 4733),
 * the client hangs up. The consumer must receive started, three mode changes and ended, in order,
 * each valid against the schema and naming the real call, accounts and hunt group. Audio is
 * {@link SeedStoryTest}'s concern; this class checks only what billing sees.
 */
@QuarkusTest
class SeedStoryAuditTest {

    @Test
    void aBillingConsumerReceivesTheStoryInOrder() throws Exception {
        Pbx pbx = new Pbx(true);
        try (AuditConsumer billing = AuditConsumer.subscribe("customerId = " + pbx.abc.customerId());
             RtpEndpoint john = new RtpEndpoint("John", Pbx.JOHN_HZ);
             RtpEndpoint client = new RtpEndpoint("client", Pbx.CLIENT_HZ);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ)) {
            SippPhone johnPhone = pbx.answeringPhone("john", pbx.johnUser, john);
            SippPhone clientPhone = pbx.clientCalls("744", client, Duration.ofSeconds(14));
            Pbx.connect(john, johnPhone);
            Pbx.connect(client, clientPhone);
            ActiveCall call = Pbx.awaitCallOf(pbx.john);

            SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_wait_bye.xml", adam);
            Pbx.connect(adam, adamPhone);
            SupervisionSession session = Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
            Thread.sleep(1000);
            adam.sendDigit('1', 200);
            Pbx.awaitMode(pbx.adam, SupervisionMode.WHISPER);
            Thread.sleep(1000);
            adam.sendDigit('2', 200);
            Pbx.awaitMode(pbx.adam, SupervisionMode.BARGE);
            Thread.sleep(1000);
            adam.sendDigit('0', 200);
            Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);

            assertThat(clientPhone.awaitExit(Duration.ofSeconds(40))).as(clientPhone.trace()).isZero();
            Pbx.awaitEnded(pbx.adam);

            List<AuditConsumer.Received> events = billing.awaitCount(5, Duration.ofSeconds(20));
            assertThat(billing.drain(Duration.ofSeconds(1))).hasSize(5);
            assertThat(events).extracting(AuditConsumer.Received::shortType)
                    .containsExactly("started", "mode_changed", "mode_changed", "mode_changed", "ended");
            assertThat(events).extracting(AuditConsumer.Received::sequence).containsExactly(1, 2, 3, 4, 5);
            assertThat(events).extracting(AuditConsumer.Received::sessionId).containsOnly(session.id.toString());
            for (AuditConsumer.Received e : events) {
                assertThat(EventSchema.violations(e.json())).as(e.body()).isEmpty();
                JsonNode data = e.json().path("data");
                assertThat(data.path("callId").asText()).isEqualTo(call.callId);
                assertThat(data.path("supervisor").path("extension").asText()).isEqualTo("745");
                assertThat(data.path("agent").path("extension").asText()).isEqualTo("744");
                assertThat(data.path("authorisedBy").path("huntGroupId").asLong()).isEqualTo(pbx.support);
                assertThat(data.path("credential").path("realm").asText()).isEqualTo(pbx.domain());
            }
            assertThat(events.get(0).json().path("data").path("trigger").asText()).isEqualTo("code");
            assertThat(events.subList(1, 4)).extracting(e -> e.json().path("data").path("to").asText() + "/"
                    + e.json().path("data").path("trigger").asText())
                    .containsExactly("whisper/rfc4733", "barge/rfc4733", "spy/rfc4733");
            JsonNode ended = events.get(4).json().path("data");
            assertThat(ended.path("reason").asText()).isEqualTo("call-ended");
            assertThat(ended.path("modeDurationsMs").path("whisper").asLong()).isGreaterThanOrEqualTo(900);
            assertThat(ended.path("modeDurationsMs").path("barge").asLong()).isGreaterThanOrEqualTo(900);
            assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
            assertThat(johnPhone.awaitExit(Pbx.SIP_WAIT)).as(johnPhone.trace()).isZero();
        }
    }
}
