package io.callsup.e2e;

import io.callsup.kamailio.DialogReconciler;
import io.callsup.kamailio.KamailioRpc;
import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.Management;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.callsup.testsupport.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session ends while Kamailio is down, so the BYE to the supervisor cannot be sent. SessionRunner
 * says "the dialog reconciler ends a leg Kamailio still holds": once Kamailio is back (its dialogs
 * reloaded from PostgreSQL), the supervisor's phone must get its BYE and not sit in a dead leg.
 */
@QuarkusTest
class KamailioDownAtSessionEndTest {

    /** Restarted Kamailio older than its restart grace (5 s), then three passes, then the BYE. */
    private static final Duration BYE_BOUND = Duration.ofSeconds(20);

    @Inject
    DialogReconciler reconciler;

    @Inject
    KamailioRpc kamailio;

    @Test
    void aSupervisorWhoseSessionEndedWhileKamailioWasDownGetsItsByeOnceKamailioIsBack() throws Exception {
        Pbx pbx = new Pbx(true);
        try (Pbx.JohnsCall johns = pbx.johnsCall(null);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_wait_bye.xml", adam)) {
            Pbx.connect(adam, adamPhone);
            SupervisionSession session = Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
            String leg = Pbx.await("Adam's leg", () -> Pbx.session(session.id).supervisorCallId);
            Pbx.await("Adam's leg confirmed", () -> kamailio.confirmedDialogs().stream()
                    .anyMatch(d -> d.callId().equals(leg)) ? true : null);

            double failedBefore = rpcErrors("dlg.list");
            KamailioResource.crash();
            try {
                as(pbx.abc).delete("/api/v1/supervision-sessions/" + session.id).then().statusCode(200);
                SupervisionSession ended = Pbx.session(session.id);
                assertThat(ended.state).isEqualTo(SessionState.ENDED);
                assertThat(ended.endReason).isEqualTo(EndReason.API);
                assertThat(adamPhone.running()).as("no Kamailio, no BYE yet").isTrue();
                assertThat(rpcErrors("dlg.list")).as("the failed dlg.list (hang-up) is counted for operators")
                        .isGreaterThan(failedBefore);
            } finally {
                KamailioResource.startInstance();
            }
            long back = System.nanoTime();
            Pbx.await("Adam's leg back in dlg.list", () -> kamailio.confirmedDialogs().stream()
                    .anyMatch(d -> d.callId().equals(leg)) ? true : null);
            Pbx.await("Kamailio older than the restart grace",
                    () -> kamailio.uptime().compareTo(Duration.ofSeconds(6)) > 0 ? true : null);
            for (int pass = 0; pass < 3; pass++) {
                reconciler.reconcile();
                Thread.sleep(300);
            }
            Duration left = BYE_BOUND.minus(Duration.ofNanos(System.nanoTime() - back));
            assertThat(adamPhone.awaitExit(left.isNegative() ? Duration.ofSeconds(1) : left)).as(adamPhone.trace())
                    .isZero();
            assertThat(adamPhone.log()).contains("Supervision ended by application");
        }
    }

    private static double rpcErrors(String method) {
        return Management.metric("callsup_kamailio_rpc_errors_total", "method=\"" + method + "\"");
    }
}
