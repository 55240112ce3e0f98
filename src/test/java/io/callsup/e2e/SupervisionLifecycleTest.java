package io.callsup.e2e;

import io.callsup.model.EndReason;
import io.callsup.supervision.ModeChange;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.model.TriggerSource;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static io.callsup.testsupport.sip.SippPhone.vars;
import static org.assertj.core.api.Assertions.assertThat;

/** Custom dialing rules, and who is released when somebody hangs up. */
@QuarkusTest
class SupervisionLifecycleTest {

    @Test
    void customRuleCodesWorkDefaultsAreRefusedAndTheSupervisorHangsUpAlone() throws Exception {
        Pbx pbx = new Pbx(true);
        as(pbx.abc).body(Map.of("kind", "CUSTOM", "custom", Map.of("spyPrefix", "*21", "whisperPrefix", "*22",
                        "bargePrefix", "*23", "spyDigit", "1", "whisperDigit", "2", "bargeDigit", "3")))
                .put("/api/v1/customer/dialing-rule").then().statusCode(200);
        try (Pbx.JohnsCall johns = pbx.johnsCall(Duration.ofSeconds(60));
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ)) {
            RtpEndpoint john = johns.john;
            RtpEndpoint client = johns.client;
            SippPhone johnPhone = johns.johnPhone;
            SippPhone clientPhone = johns.clientPhone;

            // The default code now means nothing for ABC.
            SippPhone refused = SippPhone.start("adam-default", "uac_expect.xml", SippPhone.freshPort(),
                    vars("user", pbx.adamUser, "domain", pbx.domain(), "dial", "*90744", "tdomain", pbx.domain(),
                            "expect", "404", "rtp_ip", KamailioResource.HOST, "rtp_port", "9"),
                    "-au", pbx.adamUser, "-ap", Pbx.SIP_PASSWORD);
            assertThat(refused.awaitExit(Pbx.SIP_WAIT)).as(refused.trace()).isZero();
            assertThat(refused.finalResponse()).get().satisfies(r -> assertThat(r).containsExactly("404", "Unknown Service Code"));

            // *22 joins in whisper; Adam's phone sends two INFO digits that are no codes of this
            // rule (9 and 0) and then hangs up on its own.
            try (SippPhone adamPhone = pbx.adamDials("*22744", "supervisor.xml", adam, "digit1", "9", "digit2", "0",
                    "pause1_ms", "6000", "pause2_ms", "300", "pause3_ms", "1500")) {
                Pbx.connect(adam, adamPhone);
                SupervisionSession session = Pbx.awaitMode(pbx.adam, SupervisionMode.WHISPER);
                expectRow("custom *22: whisper", row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), client, hz(Pbx.JOHN_HZ),
                        adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                adam.sendDigit('3', 200); // custom barge
                Pbx.awaitMode(pbx.adam, SupervisionMode.BARGE);
                adam.sendDigit('2', 200); // the default barge digit is whisper under this rule
                Pbx.awaitMode(pbx.adam, SupervisionMode.WHISPER);
                adam.sendDigit('1', 200); // custom spy
                Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
                Thread.sleep(400);
                expectRow("custom 1: spy", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ),
                        adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

                assertThat(adamPhone.awaitExit(Duration.ofSeconds(30))).as(adamPhone.trace()).isZero();
                SupervisionSession ended = Pbx.awaitEnded(pbx.adam);
                assertThat(ended.id).isEqualTo(session.id);
                assertThat(ended.endReason).isEqualTo(EndReason.SUPERVISOR_HUNG_UP);
                // The INFO digits 9 and 0 are no codes of this rule: no mode change came from SIP INFO.
                assertThat(Pbx.history(ended)).extracting(c -> c.trigger).doesNotContain(TriggerSource.SIP_INFO);
                assertThat(Pbx.history(ended)).extracting(c -> c.toMode).containsExactly(SupervisionMode.WHISPER,
                        SupervisionMode.BARGE, SupervisionMode.WHISPER, SupervisionMode.SPY);
            }
            // Adam is gone; John and the client carry on, and hear nothing of him.
            expectRow("after Adam hung up", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ)));
            assertThat(johnPhone.running()).isTrue();
            assertThat(clientPhone.running()).isTrue();
        }
    }

    @Test
    void theAgentHangsUpAndTheSupervisorGetsABye() throws Exception {
        Pbx pbx = new Pbx(true);
        try (Pbx.JohnsCall johns = pbx.johnsCall(null, "uas_answer_then_bye.xml", "hold_ms", "5000");
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ)) {
            RtpEndpoint john = johns.john;
            RtpEndpoint client = johns.client;
            SippPhone johnPhone = johns.johnPhone;
            SippPhone clientPhone = johns.clientPhone;
            try (SippPhone adamPhone = pbx.adamDials("*92744", "supervisor_wait_bye.xml", adam)) {
                Pbx.connect(adam, adamPhone);
                Pbx.awaitMode(pbx.adam, SupervisionMode.BARGE);
                expectRow("barge", row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), client, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ),
                        adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                // John hangs up: the client's leg and Adam's leg are both released.
                assertThat(johnPhone.awaitExit(Duration.ofSeconds(20))).as(johnPhone.trace()).isZero();
                assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
                assertThat(adamPhone.log()).contains("Supervised call ended");
                assertThat(clientPhone.awaitExit(Pbx.SIP_WAIT)).as(clientPhone.trace()).isZero();
                assertThat(Pbx.awaitEnded(pbx.adam).endReason).isEqualTo(EndReason.CALL_ENDED);
            }
        }
    }

    @Test
    void aSupervisorPuttingItsLegOnHoldGetsASaneAnswerAndStaysJoined() throws Exception {
        Pbx pbx = new Pbx(true);
        try (Pbx.JohnsCall johns = pbx.johnsCall(Duration.ofSeconds(60));
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ)) {
            RtpEndpoint john = johns.john;
            RtpEndpoint client = johns.client;
            // The scenario itself checks the answers: recvonly to the hold, sendrecv to the resume.
            try (SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_hold.xml", adam,
                    "pause1_ms", "1500", "pause2_ms", "1500", "pause3_ms", "1500")) {
                Pbx.connect(adam, adamPhone);
                SupervisionSession session = Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
                assertThat(adamPhone.awaitExit(Duration.ofSeconds(30))).as(adamPhone.trace()).isZero();
                SupervisionSession ended = Pbx.awaitEnded(pbx.adam);
                assertThat(ended.id).isEqualTo(session.id);
                // Held and resumed, it stayed joined until its own BYE.
                assertThat(ended.endReason).isEqualTo(EndReason.SUPERVISOR_HUNG_UP);
            }
            expectRow("John and the client after Adam left", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ)));
        }
    }
}
