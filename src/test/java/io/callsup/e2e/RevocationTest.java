package io.callsup.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callsup.audit.OutboxEvent;
import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.EventSchema;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Revocation mid-call: whatever takes the authorisation away (account or customer deleted, feature
 * switched off, flag removed) ends the session before the administrator's answer goes out — BYE with
 * a Reason to the supervisor, audit "ended" with reason revoked — and the supervisor's address gets
 * no more audio. The session row survives the deletion.
 */
@QuarkusTest
class RevocationTest {

    /** After the end, rtpengine has this long to stop sending... */
    private static final Duration SILENCE_BOUND = Duration.ofSeconds(1);
    /** ...and then nothing may arrive for this long. */
    private static final Duration SILENCE_WINDOW = Duration.ofSeconds(2);

    interface Revocation {
        void revoke(Pbx pbx);
    }

    @Test
    void deletingTheSupervisorsAccountEndsTheSession() throws Exception {
        revokedMidCall("*91744", SupervisionMode.WHISPER, pbx -> as(pbx.abc)
                .delete("/api/v1/customer/accounts/" + pbx.adam).then().statusCode(204));
    }

    @Test
    void switchingTheFeatureOffEndsTheSession() throws Exception {
        revokedMidCall("*92744", SupervisionMode.BARGE, pbx -> TestApi.admin().body(Map.of("enabled", false))
                .put("/api/v1/admin/customers/" + pbx.abc.customerId() + "/supervision").then().statusCode(200));
    }

    @Test
    void removingTheSupervisionFlagEndsTheSession() throws Exception {
        revokedMidCall("*90744", SupervisionMode.SPY, pbx -> TestApi.putMember(pbx.abc, pbx.support, pbx.adam, false));
    }

    @Test
    void deletingTheCustomerEndsTheSessionAndKeepsItsRecord() throws Exception {
        revokedMidCall("*91744", SupervisionMode.WHISPER, pbx -> TestApi.admin()
                .delete("/api/v1/admin/customers/" + pbx.abc.customerId()).then().statusCode(204));
    }

    private void revokedMidCall(String code, SupervisionMode mode, Revocation revocation) throws Exception {
        Pbx pbx = new Pbx(true);
        try (Pbx.JohnsCall johns = pbx.johnsCall(Duration.ofSeconds(60));
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone adamPhone = pbx.adamDials(code, "supervisor_wait_bye.xml", adam)) {
            RtpEndpoint john = johns.john;
            RtpEndpoint client = johns.client;
            Pbx.connect(adam, adamPhone);
            SupervisionSession session = Pbx.awaitMode(pbx.adam, mode);
            expectRow("before revocation: Adam hears both", row(adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

            revocation.revoke(pbx);

            // The administrator's answer came after the session ended: no waiting here.
            SupervisionSession ended = load(session.id);
            assertThat(ended.state).as("state right after the admin answer").isEqualTo(SessionState.ENDED);
            assertThat(ended.endReason).isEqualTo(EndReason.REVOKED);
            assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
            assertThat(adamPhone.log()).contains("BYE Reason:").contains("Supervision revoked");
            assertThat(Pbx.auditOf(session.id)).containsExactly("started", "ended revoked");
            // Ended while the customer and accounts still existed: the events name them and obey the schema.
            for (OutboxEvent e : QuarkusTransaction.requiringNew().call(() -> OutboxEvent.<OutboxEvent>list(
                    "sessionId = ?1", session.id))) {
                JsonNode event = new ObjectMapper().readTree(e.payload);
                assertThat(EventSchema.violations(event)).as(e.payload).isEmpty();
                assertThat(event.path("data").path("customer").path("name").asText()).isEqualTo("ABC");
            }

            Thread.sleep(SILENCE_BOUND.toMillis());
            int mark = adam.mark();
            Thread.sleep(SILENCE_WINDOW.toMillis());
            assertThat(adam.packetsSince(mark)).as("RTP to the revoked supervisor's address %s after %s",
                    SILENCE_WINDOW, SILENCE_BOUND).isEmpty();
            expectRow("after revocation: agent and client on their own",
                    row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ)));
            assertThat(johns.johnPhone.running()).isTrue();
            assertThat(johns.clientPhone.running()).isTrue();
        }
    }

    private static SupervisionSession load(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> SupervisionSession.findById(id));
    }
}
