package io.callsup.e2e;

import io.callsup.media.RtpengineMixer;
import io.callsup.model.EndReason;
import io.callsup.supervision.SupervisionSession;
import io.callsup.supervision.port.MediaMixer;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.RtpengineResource;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static io.callsup.testsupport.sip.SippPhone.vars;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two-phase dial-in when the decision is slow for real: the test's rtpengine is frozen
 * (SIGSTOP) while Adam's INVITE is being decided, so the service's ng commands wait in the daemon's
 * socket. Once with the phone cancelling during the decision, once with the decision outliving
 * Kamailio's 2 s HTTP timeout. Either way the join must never become audible or leave a party.
 */
@QuarkusTest
class DecisionRaceTest {

    /** Reconciler pass every 1 s in tests; an orphan is removed on its second sighting, plus a margin. */
    private static final Duration CLEAN_BOUND = Duration.ofSeconds(4);

    @Inject
    RtpengineMixer mixer;

    @Test
    void aCancelDuringTheDecisionEndsTheJoinAsCancelledWithoutMedia() throws Exception {
        Pbx pbx = new Pbx(true);
        try (Pbx.JohnsCall johns = pbx.johnsCall(Duration.ofSeconds(60));
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ)) {
            String daemon = mixer.daemons().get(0);
            SippPhone adamPhone;
            // Frozen right before the INVITE; the phone CANCELs 200 ms after its 100 Trying, and the
            // daemon wakes 400 ms after that, well inside the service's 1.5 s decision deadline:
            // the service then accepts a join whose INVITE is already cancelled.
            RtpengineResource.freeze();
            try {
                adamPhone = pbx.adamDials("*90744", "supervisor_cancel.xml", adam, "cancel_ms", "200");
                awaitSent(adamPhone, "CANCEL ", Duration.ofSeconds(3));
                Thread.sleep(400);
            } finally {
                RtpengineResource.thaw();
            }
            try (adamPhone) {
                // The scenario insists on the 200 to the CANCEL and a 487 to the INVITE.
                assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
                assertThat(adamPhone.inviteAnswer()).as(adamPhone.trace()).hasValueSatisfying(
                        a -> assertThat(a).startsWith("487"));
            }
            SupervisionSession ended = Pbx.awaitEnded(pbx.adam);
            assertThat(ended.callId).isEqualTo(johns.call.callId);
            assertThat(ended.endReason).as("a join cancelled by the phone").isEqualTo(EndReason.CANCELLED);
            assertThat(ended.activatedAt).as("a cancelled join was never active").isNull();
            assertThat(Pbx.history(ended)).as("no mode was ever in force").isEmpty();
            assertThat(Pbx.auditOf(ended.id)).as("audit of the cancelled join: one denial, no start")
                    .containsExactly("denied cancelled");
            // ENDED is only reached once rtpengine confirmed the teardown: no delay needed here.
            assertThat(supervisorParties(daemon, johns.call.callId))
                    .as("parties labelled callsup-supervisor after the cancelled join").isEmpty();

            Pbx.assertSilent(adam, Duration.ofSeconds(1), Duration.ofSeconds(2), "cancelled join");
            assertThat(adam.mark()).as("Adam's address got RTP at some point during the cancelled join").isZero();
            expectRow("after the cancelled join", row(johns.john, hz(Pbx.CLIENT_HZ), johns.client, hz(Pbx.JOHN_HZ),
                    adam, hz()));
        }
    }

    @Test
    void aDecisionLaterThanKamailiosTimeoutIsRefusedAndLeavesNothingBehind() throws Exception {
        Pbx pbx = new Pbx(true);
        try (Pbx.JohnsCall johns = pbx.johnsCall(Duration.ofSeconds(60));
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ)) {
            String daemon = mixer.daemons().get(0);
            SippPhone adamPhone;
            // 2.5 s frozen: longer than Kamailio's 2 s wait for the decision, so Kamailio answers 503
            // whatever the service decides, and the service's media commands land after that.
            RtpengineResource.freeze();
            long frozen = System.nanoTime();
            try {
                adamPhone = SippPhone.start("adam-late", "uac_expect.xml", SippPhone.freshPort(),
                        vars("user", pbx.adamUser, "domain", pbx.domain(), "dial", "*91744", "tdomain", pbx.domain(),
                                "expect", "503", "rtp_ip", KamailioResource.HOST,
                                "rtp_port", Integer.toString(adam.port())),
                        "-au", pbx.adamUser, "-ap", Pbx.SIP_PASSWORD);
                Thread.sleep(Math.max(0, 2500 - (System.nanoTime() - frozen) / 1_000_000));
            } finally {
                RtpengineResource.thaw();
            }
            long thawed = System.nanoTime();
            try (adamPhone) {
                assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
                assertThat(adamPhone.finalResponse()).as(adamPhone.trace()).hasValueSatisfying(
                        r -> assertThat(r[0]).isEqualTo("503"));
            }
            SupervisionSession ended = Pbx.awaitEnded(pbx.adam);
            long endedMs = (System.nanoTime() - thawed) / 1_000_000;
            System.out.println("late decision: session " + ended.id + " ended " + ended.endReason + " " + endedMs
                    + " ms after the thaw; audit " + Pbx.auditOf(ended.id));
            assertThat(ended.callId).isEqualTo(johns.call.callId);
            assertThat(ended.endReason).as("a join decided too late").isIn(EndReason.TIMEOUT, EndReason.MEDIA_FAILURE);
            assertThat(ended.activatedAt).as("a refused join was never active").isNull();
            assertThat(Pbx.history(ended)).as("no mode was ever in force").isEmpty();
            assertThat(Pbx.auditOf(ended.id)).as("audit of the late join: one denial naming the end, no start")
                    .containsExactly("denied " + ended.endReason.name().toLowerCase(Locale.ROOT).replace('_', '-'));

            // Within the bound after the thaw no party is labelled callsup-supervisor, and none
            // appears later (a command that was still queued in the frozen daemon).
            long deadline = thawed + CLEAN_BOUND.toNanos();
            while (!supervisorParties(daemon, johns.call.callId).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(supervisorParties(daemon, johns.call.callId))
                    .as("callsup-supervisor parties " + CLEAN_BOUND.toMillis() + " ms after the thaw").isEmpty();
            Pbx.assertSilent(adam, Duration.ofSeconds(1), Duration.ofSeconds(2), "refused late join");
            assertThat(supervisorParties(daemon, johns.call.callId)).as("callsup-supervisor parties, later").isEmpty();
            assertThat(adam.mark()).as("Adam's address got RTP at some point during the refused join").isZero();
            expectRow("after the refused join", row(johns.john, hz(Pbx.CLIENT_HZ), johns.client, hz(Pbx.JOHN_HZ),
                    adam, hz()));
            assertThat(johns.johnPhone.running()).as("John's phone is still on the call").isTrue();
            assertThat(johns.clientPhone.running()).as("the client's phone is still on the call").isTrue();
        }
    }

    private List<String> supervisorParties(String daemon, String callId) {
        return mixer.inspect(daemon, callId).map(MediaMixer.CallMedia::supervisorTags)
                .orElseThrow(() -> new AssertionError("rtpengine no longer knows call " + callId));
    }

    /** Waits (bounded: the daemon is frozen meanwhile) until the phone has sent {@code startLine}. */
    private static void awaitSent(SippPhone phone, String startLine, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!phone.hasSent(startLine)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the phone sent no " + startLine.strip() + " within " + max + "\n"
                        + phone.trace());
            }
            Thread.sleep(10);
        }
    }
}
