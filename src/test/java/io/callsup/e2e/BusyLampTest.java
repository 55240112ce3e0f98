package io.callsup.e2e;

import io.callsup.model.SupervisionMode;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.callsup.e2e.BusyLamps.awaitDialog;
import static io.callsup.e2e.BusyLamps.awaitFinal;
import static io.callsup.e2e.BusyLamps.awaitNotifies;
import static io.callsup.e2e.BusyLamps.dialogs;
import static io.callsup.e2e.BusyLamps.statesOf;
import static io.callsup.e2e.BusyLamps.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Busy-lamp fields on managers' phones, end to end: SIPp phones SUBSCRIBE (Event: dialog, digest
 * auth) through the real Kamailio, which asks the service; NOTIFYs follow the agent's call; the
 * service's policy refuses other customers and users without the "supervision allowed" flag; a
 * supervisor's own leg never lights a lamp.
 */
@QuarkusTest
class BusyLampTest {

    private static final Duration WAIT = Pbx.SIP_WAIT;

    private static String edge() {
        return KamailioResource.sipHost() + ":" + KamailioResource.sipPort();
    }

    @Test
    void johnsLampFollowsHisCallAndAdamsSpyLegLightsNoLamp() throws Exception {
        Pbx pbx = new Pbx(true);
        String eveUser = TestApi.unique("eve");
        long eve = pbx.account("746", "Eve", eveUser);
        TestApi.putMember(pbx.abc, pbx.support, eve, true);

        try (SippPhone adamWatchesJohn = subscribe(pbx, pbx.adamUser, "744", pbx.domain(), "200", edge());
             SippPhone eveWatchesAdam = subscribe(pbx, eveUser, "745", pbx.domain(), "200", edge())) {
            assertThat(awaitFinal(adamWatchesJohn, WAIT)).startsWith("200");
            assertThat(awaitFinal(eveWatchesAdam, WAIT)).startsWith("200");
            awaitNotifies(adamWatchesJohn, 1, WAIT);
            awaitNotifies(eveWatchesAdam, 1, WAIT);
            assertThat(dialogs(adamWatchesJohn)).as("John idle: no busy dialog").noneMatch(BusyLamps.Dialog::busy);

            // The client hangs up after 10 s: time for Adam to join in spy and for the absence window.
            long callStart = System.currentTimeMillis();
            try (Pbx.JohnsCall call = pbx.johnsCall(Duration.ofSeconds(10));
                 RtpEndpoint adamEp = new RtpEndpoint("Adam", Pbx.ADAM_HZ)) {
                String callId = call.call.callId;
                long confirmed = awaitDialog(adamWatchesJohn, d -> d.callId().equals(callId)
                        && d.state().equals("confirmed"), WAIT, "John's call confirmed");
                List<String> states = statesOf(adamWatchesJohn, callId);
                assertThat(states).as("John's lamp before the answer").first().isIn("trying", "early");
                assertThat(states.indexOf("confirmed")).isGreaterThan(0);
                long lampMs = confirmed - callStart;

                SippPhone adamSpies = pbx.adamDials("*90744", "supervisor_wait_bye.xml", adamEp);
                try {
                    Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
                    // Whatever would be published for the spy leg would arrive as fast as John's did.
                    Thread.sleep(Math.max(2000, 3 * lampMs));
                    assertThat(dialogs(eveWatchesAdam)).as("Adam's lamp while he spies (his leg is supervision)")
                            .noneMatch(BusyLamps.Dialog::busy);
                    assertThat(dialogs(adamWatchesJohn)).as("John's lamp names only his own call")
                            .allMatch(d -> d.callId().equals(callId) || !d.busy());
                } finally {
                    awaitDialog(adamWatchesJohn, d -> d.callId().equals(callId) && d.state().equals("terminated"),
                            WAIT.plusSeconds(10), "John's call terminated");
                    adamSpies.close();
                }
                List<String> all = statesOf(adamWatchesJohn, callId);
                assertThat(all.get(all.size() - 1)).isEqualTo("terminated");
                System.out.printf("BLF: confirmed NOTIFY %d ms after the call was placed; states %s%n", lampMs, all);
            }
            Thread.sleep(1000);
            assertThat(dialogs(eveWatchesAdam)).as("Adam's lamp after the spy leg ended").noneMatch(BusyLamps.Dialog::busy);
        }
    }

    @Test
    void subscriptionsThePolicyRefusesGetTheirAnswer() throws Exception {
        Pbx pbx = new Pbx(true);
        Pbx other = new Pbx(true);
        Pbx disabled = new Pbx(false);
        record Case(Pbx pbx, String user, String target, String tdomain, String expect, String phrase) {
        }
        List<Case> cases = List.of(
                // Another customer's 744, named by its domain: refused before the service is asked.
                new Case(pbx, pbx.adamUser, "744", other.domain(), "403", "other domain"),
                // John shares Support with Adam but may not supervise there.
                new Case(pbx, pbx.johnUser, "745", pbx.domain(), "403", "Supervision Not Allowed"),
                // The customer's switch is off.
                new Case(disabled, disabled.adamUser, "744", disabled.domain(), "403", "Call Supervision Disabled"),
                new Case(pbx, pbx.adamUser, "799", pbx.domain(), "404", "Extension Not Found"),
                new Case(pbx, pbx.adamUser, "745", pbx.domain(), "403", "Cannot Supervise Own Call"));
        for (Case c : cases) {
            try (SippPhone phone = subscribe(c.pbx(), c.user(), c.target(), c.tdomain(), c.expect(), edge())) {
                String answer = awaitFinal(phone, WAIT);
                assertThat(answer).as(c.toString()).startsWith(c.expect()).contains(c.phrase());
                assertThat(phone.awaitExit(WAIT)).as(c + "\n" + phone.trace()).isZero();
                assertThat(phone.receivedBodies("NOTIFY ")).as(c + ": no NOTIFY after a refusal").isEmpty();
            }
        }
    }
}
