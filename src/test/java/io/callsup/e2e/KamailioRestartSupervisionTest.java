package io.callsup.e2e;

import io.callsup.kamailio.DialogReconciler;
import io.callsup.kamailio.KamailioRpc;
import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.RtpengineGuard;
import io.callsup.testsupport.RtpengineResource;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kamailio dies (SIGKILL) and later stops cleanly under a whispering supervisor, and comes back each
 * time with the same configuration. Media never crosses Kamailio, so nobody may hear a difference;
 * the dialogs come back from PostgreSQL, so the dialog reconciler - whose passes after a restart are
 * where a wrong "dialog gone" would end the session - must end nothing; and Adam's own BYE, sent
 * through the restarted Kamailio, must still end the session as SUPERVISOR_HUNG_UP.
 * <p>
 * The passes are run by the test (the periodic interval is 30 s) once Kamailio is older than the
 * restart grace (5 s in tests): three in a row are what it takes the reconciler to take a dialog
 * missing from dlg.list for ended (one to notice the new process, two to confirm an absence).
 */
@QuarkusTest
@ExtendWith(RtpengineGuard.class)
class KamailioRestartSupervisionTest {

    /** Adam's BYE comes this long after his ACK: after both restarts and their reconcile passes. */
    private static final Duration ADAM_STAYS = Duration.ofSeconds(45);
    private static final Duration RESTART_GRACE = Duration.ofSeconds(5); // KamailioResource's restart-grace
    private static final Duration SETTLE = Duration.ofMillis(500);
    private static final Duration SILENCE_WINDOW = Duration.ofSeconds(2);

    @Inject
    DialogReconciler reconciler;

    @Inject
    KamailioRpc kamailio;


    @Test
    void aWhisperSurvivesAKilledAndACleanlyRestartedKamailioAndEndsByTheSupervisorsBye() throws Exception {
        Pbx pbx = new Pbx(true);
        try (Pbx.JohnsCall johns = pbx.johnsCall(null);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone adamPhone = pbx.adamDials("*91744", "supervisor_bye_after.xml", adam,
                     "hold_ms", Long.toString(ADAM_STAYS.toMillis()))) {
            RtpEndpoint john = johns.john;
            RtpEndpoint client = johns.client;
            Pbx.connect(adam, adamPhone);
            SupervisionSession session = Pbx.awaitMode(pbx.adam, SupervisionMode.WHISPER);
            String call = johns.call.callId;
            String leg = Pbx.await("Adam's leg known", () -> Pbx.session(session.id).supervisorCallId);
            awaitConfirmed(call, leg);
            Map<RtpEndpoint, double[]> whisper = row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), client, hz(Pbx.JOHN_HZ),
                    adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ));
            expectRow("whisper, before any restart", whisper);

            // 1. Kamailio is killed: the media goes on while it is down, and after it is back.
            KamailioResource.crash();
            expectRow("whisper, Kamailio dead", whisper);
            KamailioResource.startInstance();
            awaitConfirmed(call, leg);
            expectRow("whisper, Kamailio restarted after the kill", whisper);
            threeReconcilePassesEndNothing(session, call, leg);
            expectRow("whisper, after the reconcile passes", whisper);

            // 2. Clean stop and start.
            KamailioResource.stopInstance();
            expectRow("whisper, Kamailio stopped", whisper);
            KamailioResource.startInstance();
            awaitConfirmed(call, leg);
            threeReconcilePassesEndNothing(session, call, leg);
            expectRow("whisper, after the clean restart and its passes", whisper);

            // 3. Adam hangs up through the restarted Kamailio.
            assertThat(adamPhone.running()).as("Adam must hang up only now (hold_ms too short?)").isTrue();
            assertThat(adamPhone.awaitExit(ADAM_STAYS.plus(Pbx.SIP_WAIT))).as(adamPhone.trace()).isZero();
            SupervisionSession ended = Pbx.awaitEnded(pbx.adam);
            assertThat(ended.id).isEqualTo(session.id);
            assertThat(ended.state).isEqualTo(SessionState.ENDED);
            assertThat(ended.endReason).isEqualTo(EndReason.SUPERVISOR_HUNG_UP);
            assertThat(Pbx.auditTypes(session.id)).containsExactly("started", "ended");
            assertThat(Pbx.endedReasons(session.id)).containsExactly("supervisor-hung-up");
            Thread.sleep(SETTLE.toMillis());
            assertThat(Pbx.packetsDuring(adam, SILENCE_WINDOW)).as("RTP to Adam " + SETTLE.toMillis()
                    + " ms after ENDED, over " + SILENCE_WINDOW.toMillis() + " ms").isZero();
            expectRow("John and the client, Adam gone", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ),
                    adam, hz()));
            assertThat(johns.johnPhone.running()).isTrue();
            assertThat(johns.clientPhone.running()).isTrue();

            // The call itself still ends normally through the restarted Kamailio.
            assertThat(kamailio.endDialog(KamailioRpc.DialogKey.anyWithCallId(call), "test over")).isTrue();
            assertThat(johns.johnPhone.awaitExit(Pbx.SIP_WAIT)).as(johns.johnPhone.trace()).isZero();
            assertThat(johns.clientPhone.awaitExit(Pbx.SIP_WAIT)).as(johns.clientPhone.trace()).isZero();
        }
    }

    /**
     * Waits until the restarted Kamailio is older than the restart grace, then runs three passes;
     * after each the session is ACTIVE in WHISPER and both dialogs are still in the registry.
     */
    private void threeReconcilePassesEndNothing(SupervisionSession session, String call, String leg)
            throws InterruptedException {
        Pbx.await("Kamailio older than the restart grace",
                () -> kamailio.uptime().compareTo(RESTART_GRACE.plusSeconds(1)) > 0 ? true : null);
        for (int pass = 1; pass <= 3; pass++) {
            reconciler.reconcile();
            SupervisionSession s = Pbx.session(session.id);
            assertThat(s.state).as("session after reconcile pass " + pass).isEqualTo(SessionState.ACTIVE);
            assertThat(s.mode).isEqualTo(SupervisionMode.WHISPER);
            assertThat(tracked(call)).as("the call in the registry after pass " + pass).isTrue();
            assertThat(tracked(leg)).as("Adam's leg in the registry after pass " + pass).isTrue();
            Thread.sleep(300);
        }
        assertThat(Pbx.auditTypes(session.id)).containsExactly("started");
    }

    private void awaitConfirmed(String... callIds) throws InterruptedException {
        Pbx.await("dialogs " + String.join(", ", callIds) + " confirmed in dlg.list", () -> {
            try {
                List<String> ids = kamailio.confirmedDialogs().stream().map(KamailioRpc.DialogInfo::callId).toList();
                return ids.containsAll(List.of(callIds)) ? true : null;
            } catch (RuntimeException notUpYet) {
                return null;
            }
        });
    }

    private static boolean tracked(String callId) {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew()
                .call(() -> io.callsup.calls.ActiveCall.findByIdOptional(callId)).isPresent();
    }
}
