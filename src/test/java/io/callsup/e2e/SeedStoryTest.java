package io.callsup.e2e;

import io.callsup.calls.ActiveCall;
import io.callsup.model.EndReason;
import io.callsup.supervision.ModeChange;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.model.TriggerSource;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's story with real Kamailio, rtpengine, PostgreSQL and SIPp phones: a client calls John
 * (744), Adam dials *90744, presses 1, 2 and 0, and the call ends. Who hears whom is measured from
 * the audio at every step, once with RFC 4733 digits and once with SIP INFO.
 */
@QuarkusTest
class SeedStoryTest {

    @Test
    void storyWithRfc4733Digits() throws Exception {
        story(TriggerSource.RFC4733);
    }

    @Test
    void storyWithSipInfoDigits() throws Exception {
        story(TriggerSource.SIP_INFO);
    }

    private void story(TriggerSource digits) throws Exception {
        Pbx pbx = new Pbx(true);
        try (RtpEndpoint john = new RtpEndpoint("John", Pbx.JOHN_HZ);
             RtpEndpoint client = new RtpEndpoint("client", Pbx.CLIENT_HZ);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ)) {
            try (SippPhone johnPhone = pbx.answeringPhone("john", pbx.johnUser, john);
                 SippPhone clientPhone = pbx.clientCalls("744", client,
                         Duration.ofSeconds(digits == TriggerSource.SIP_INFO ? 24 : 16))) {
                play(pbx, digits, john, client, adam, johnPhone, clientPhone);
            }
        }
    }

    private void play(Pbx pbx, TriggerSource digits, RtpEndpoint john, RtpEndpoint client, RtpEndpoint adam,
                      SippPhone johnPhone, SippPhone clientPhone) throws Exception {
        Pbx.connect(john, johnPhone);
        Pbx.connect(client, clientPhone);
        ActiveCall call = Pbx.awaitCallOf(pbx.john);

        expectRow("before joining", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ), adam, hz()));

        @SuppressWarnings("resource") // closed by the shutdown hook if the story fails half-way
        SippPhone adamPhone = digits == TriggerSource.SIP_INFO
                ? pbx.adamDials("*90744", "supervisor_info_story.xml", adam, "digit1", "1", "digit2", "2",
                "digit3", "0", "pause1_ms", "3000", "pause2_ms", "3000", "pause3_ms", "3000")
                : pbx.adamDials("*90744", "supervisor_wait_bye.xml", adam);
        Pbx.connect(adam, adamPhone);
        SupervisionSession session = Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
        assertThat(session.callId).isEqualTo(call.callId);
        assertThat(session.authorisedByGroup).isEqualTo(pbx.support);
        expectRow("spy: Adam hears both, nobody hears Adam",
                row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

        press(adam, '1', digits);
        Pbx.awaitMode(pbx.adam, SupervisionMode.WHISPER);
        settleAfterDigit();
        expectRow("whisper: John hears Adam, the client does not",
                row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

        press(adam, '2', digits);
        Pbx.awaitMode(pbx.adam, SupervisionMode.BARGE);
        settleAfterDigit();
        expectRow("barge: both hear Adam",
                row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), client, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ),
                        adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

        press(adam, '0', digits);
        Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
        settleAfterDigit();
        expectRow("back to spy",
                row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

        // The client hangs up: John's phone and Adam's phone are both released.
        assertThat(clientPhone.awaitExit(Duration.ofSeconds(40))).as(clientPhone.trace()).isZero();
        assertThat(johnPhone.awaitExit(Pbx.SIP_WAIT)).as(johnPhone.trace()).isZero();
        assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
        assertThat(adamPhone.log()).contains("BYE Reason:").contains("Supervised call ended");

        SupervisionSession ended = Pbx.awaitEnded(pbx.adam);
        assertThat(ended.endReason).isEqualTo(EndReason.CALL_ENDED);
        List<ModeChange> history = Pbx.history(ended);
        assertThat(history).extracting(c -> c.toMode)
                .containsExactly(SupervisionMode.SPY, SupervisionMode.WHISPER, SupervisionMode.BARGE, SupervisionMode.SPY);
        assertThat(history).extracting(c -> c.trigger)
                .containsExactly(TriggerSource.CODE, digits, digits, digits);
        Pbx.await("the call forgotten", () -> Pbx.callOf(pbx.john).isEmpty() ? Boolean.TRUE : null);
    }

    private static void press(RtpEndpoint adam, char digit, TriggerSource digits) {
        if (digits == TriggerSource.RFC4733) {
            adam.sendDigit(digit, 200);
        }
        // SIP INFO digits come from the SIPp scenario on its own schedule.
    }

    /** The new mix needs a few ticks to settle after the switch, and the phone resumes audio after its digit. */
    private static void settleAfterDigit() throws InterruptedException {
        Thread.sleep(400);
    }
}
