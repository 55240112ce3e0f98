package io.callsup.e2e;

import io.callsup.kamailio.KamailioRpc;
import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.RtpengineGuard;
import io.callsup.testsupport.RtpengineResource;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * rtpengine crashes (SIGKILL) under a barging supervisor. The service must notice by itself (pings),
 * hang the supervisor up with "Supervision media lost", finish the end once a daemon answers again
 * (the restarted one knows nothing of the call, which confirms the supervisor's media gone), and the
 * next call and join must work with no manual step.
 * <p>
 * What is lost and not the service's to save: rtpengine kept the first call's media only in
 * memory, so John and the client hear nothing from the crash on (asserted, not hidden).
 */
@QuarkusTest
@ExtendWith(RtpengineGuard.class)
class RtpengineCrashTest {

    /**
     * Crash to the supervisor's BYE: two missed pings (0.5 s apart, 0.3 s timeout: up to 1.3 s), then
     * one teardown attempt that must time out (command deadline 2 s) before the ENDING state
     * commits, and only then is the phone told. 5 s leaves room for a loaded host.
     */
    private static final Duration BYE_BOUND = Duration.ofSeconds(5);
    /** Restart to ENDED: the first answered ping triggers a reconcile pass at once. */
    private static final Duration ENDED_BOUND = Duration.ofSeconds(5);
    private static final Duration SILENCE_WINDOW = Duration.ofSeconds(2);

    @Inject
    KamailioRpc kamailio;


    @Test
    void aCrashedRtpengineEndsTheSessionAsMediaLostAndTheNextCallIsSupervisedNormally() throws Exception {
        Pbx pbx = new Pbx(true);
        boolean restarted = false;
        try (Pbx.JohnsCall first = pbx.johnsCall(null);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone adamPhone = pbx.adamDials("*92744", "supervisor_wait_bye.xml", adam)) {
            Pbx.connect(adam, adamPhone);
            SupervisionSession session = Pbx.awaitMode(pbx.adam, SupervisionMode.BARGE);
            expectRow("barge, before the crash", row(first.john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ),
                    first.client, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

            long crashedAt = System.nanoTime();
            RtpengineResource.crash();
            try {
                assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
                Duration byeAfter = Duration.ofNanos(System.nanoTime() - crashedAt);
                System.out.println("rtpengine crash: Adam's phone done " + byeAfter.toMillis() + " ms after SIGKILL");
                assertThat(adamPhone.log()).contains("BYE Reason:").contains("Supervision media lost");
                assertThat(byeAfter).isLessThan(BYE_BOUND);
                // No daemon can confirm the teardown: hung up, but not yet ended nor audited as ended.
                SupervisionSession ending = Pbx.session(session.id);
                assertThat(ending.state).isEqualTo(SessionState.ENDING);
                assertThat(ending.endReason).isEqualTo(EndReason.MEDIA_LOST);
                assertThat(Pbx.auditTypes(session.id)).containsExactly("started");
            } finally {
                long restartAt = System.nanoTime();
                RtpengineResource.startInstance(); // same ng port and media range, no state
                restarted = true;
                System.out.println("rtpengine crash: restart took "
                        + Duration.ofNanos(System.nanoTime() - restartAt).toMillis() + " ms");
            }
            long upAt = System.nanoTime();
            SupervisionSession ended = Pbx.await("session ENDED after the restart", () -> {
                SupervisionSession s = Pbx.session(session.id);
                return s.state == SessionState.ENDED ? s : null;
            });
            Duration endedAfter = Duration.ofNanos(System.nanoTime() - upAt);
            System.out.println("rtpengine crash: ENDED " + endedAfter.toMillis() + " ms after the restart");
            assertThat(endedAfter).isLessThan(ENDED_BOUND);
            assertThat(ended.endReason).isEqualTo(EndReason.MEDIA_LOST);
            assertThat(Pbx.auditTypes(session.id)).containsExactly("started", "ended");
            assertThat(Pbx.endedReasons(session.id)).containsExactly("media-lost");

            // The first call's media died with the daemon: nobody receives anything any more,
            // although both phones still hold the call in SIP.
            int johnMark = first.john.mark();
            int clientMark = first.client.mark();
            assertThat(Pbx.packetsDuring(adam, SILENCE_WINDOW)).as("RTP to Adam after the restart").isZero();
            assertThat(first.john.packetsSince(johnMark)).as("RTP to John after the restart").isEmpty();
            assertThat(first.client.packetsSince(clientMark)).as("RTP to the client after the restart").isEmpty();
            assertThat(first.johnPhone.running()).isTrue();
            assertThat(first.clientPhone.running()).isTrue();

            // Hang the dead call up from the network: both phones get their BYE through Kamailio
            // (whose rtpengine module talks to the restarted daemon) and the registry lets it go.
            assertThat(kamailio.endDialog(KamailioRpc.DialogKey.anyWithCallId(first.call.callId), "test: media lost")).isTrue();
            assertThat(first.johnPhone.awaitExit(Pbx.SIP_WAIT)).as(first.johnPhone.trace()).isZero();
            assertThat(first.clientPhone.awaitExit(Pbx.SIP_WAIT)).as(first.clientPhone.trace()).isZero();
            Pbx.await("the first call out of the registry", () -> Pbx.callOf(pbx.john).isEmpty() ? true : null);
        } finally {
            if (!restarted) {
                RtpengineResource.startInstance();
            }
        }

        // No manual step: a new call, a new barge, the right matrix.
        try (Pbx.JohnsCall second = pbx.johnsCall(null);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone adamPhone = pbx.adamDials("*92744", "supervisor_wait_bye.xml", adam)) {
            Pbx.connect(adam, adamPhone);
            SupervisionSession session = Pbx.awaitMode(pbx.adam, SupervisionMode.BARGE);
            expectRow("barge on the restarted rtpengine", row(second.john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ),
                    second.client, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
            as(pbx.abc).delete("/api/v1/supervision-sessions/" + session.id).then().statusCode(200);
            assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
            assertThat(Pbx.awaitEnded(pbx.adam).endReason).isEqualTo(EndReason.API);
            expectRow("the new call after Adam left", row(second.john, hz(Pbx.CLIENT_HZ),
                    second.client, hz(Pbx.JOHN_HZ), adam, hz()));
        }
    }
}
