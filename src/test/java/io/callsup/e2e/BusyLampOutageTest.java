package io.callsup.e2e;

import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.Management;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import static io.callsup.e2e.BusyLamps.awaitDialog;
import static io.callsup.e2e.BusyLamps.awaitFinal;
import static io.callsup.e2e.BusyLamps.awaitLogged;
import static io.callsup.e2e.BusyLamps.awaitNotifies;
import static io.callsup.e2e.BusyLamps.dialogs;
import static io.callsup.e2e.BusyLamps.statesOf;
import static io.callsup.e2e.BusyLamps.subscribe;
import static io.callsup.testsupport.sip.SippPhone.vars;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A busy-lamp subscription survives the service going away and coming back: the subscription lives
 * in Kamailio (presence), the service only decides whether it may start. A second Kamailio reaches
 * the service's internal port through a TCP forwarder; closing the forwarder is the service being
 * down for Kamailio (connection refused), reopening it on the same port is the service back. The
 * service process itself is not restarted here (it keeps no subscription state, so a real restart
 * looks the same to Kamailio); ServiceRestartIT restarts a real one for the other endpoints.
 * While it is down: NOTIFYs still follow the agent's call, a refresh of the existing subscription is
 * kept (200), a new subscription is refused with 503 and Retry-After (fail closed); once it is back
 * a new subscription is accepted again.
 */
@QuarkusTest
class BusyLampOutageTest {

    private static final Duration WAIT = Pbx.SIP_WAIT;

    @Test
    void aSubscriptionOutlivesTheServiceBeingAwayAndNewOnesWaitForIt() throws Exception {
        Pbx pbx = new Pbx(true);
        String eveUser = TestApi.unique("eve");
        long eve = pbx.account("746", "Eve", eveUser);
        TestApi.putMember(pbx.abc, pbx.support, eve, true);

        TcpDropProxy gate = new TcpDropProxy(Management.port());
        int gatePort = gate.port();
        try (KamailioResource.Instance edge = KamailioResource.startSeparate("blf", "http://127.0.0.1:" + gatePort)) {
            String target = KamailioResource.HOST + ":" + edge.sipPort();
            int johnPort = SippPhone.freshPort();
            SippPhone reg = SippPhone.start("john-register", "register.xml", johnPort, target,
                    vars("user", pbx.johnUser, "domain", pbx.domain(), "expires", "3600"),
                    "-au", pbx.johnUser, "-ap", Pbx.SIP_PASSWORD);
            assertThat(reg.awaitExit(WAIT)).as(reg.trace()).isZero();
            try (SippPhone john = SippPhone.start("john", "uas_answer.xml", johnPort, target,
                    vars("rtp_ip", KamailioResource.HOST, "rtp_port", "28990", "ring_ms", "200"),
                    "-recv_timeout", "120000");
                 SippPhone adam = SippPhone.start("blf-adam", "blf_refresh.xml", SippPhone.freshPort(), target,
                         vars("user", pbx.adamUser, "domain", pbx.domain(), "target", "744",
                                 "tdomain", pbx.domain(), "expires", "600", "refresh_ms", "4000"),
                         "-au", pbx.adamUser, "-ap", Pbx.SIP_PASSWORD, "-recv_timeout", "120000")) {
                awaitNotifies(adam, 1, WAIT);

                gate.close();
                assertThat(awaitLogged(adam, "REFRESH", WAIT)).as("refresh while the service is away")
                        .startsWith("200");

                try (SippPhone eveRefused = subscribe(pbx, eveUser, "744", pbx.domain(), "503", target)) {
                    assertThat(awaitFinal(eveRefused, WAIT)).contains("Busy Lamp Service Unavailable");
                    assertThat(eveRefused.awaitExit(WAIT)).as(eveRefused.trace()).isZero();
                    assertThat(Files.readString(eveRefused.messageTrace(), StandardCharsets.ISO_8859_1))
                            .contains("Retry-After: 30");
                }

                // Eve calls John while the service is away; Adam's lamp shows it from start to end.
                SippPhone eveCalls = SippPhone.start("eve-calls", "uac_expect.xml", SippPhone.freshPort(), target,
                        vars("user", eveUser, "domain", pbx.domain(), "dial", "744", "tdomain", pbx.domain(),
                                "rtp_ip", KamailioResource.HOST, "rtp_port", "28992", "expect", "200"),
                        "-au", eveUser, "-ap", Pbx.SIP_PASSWORD);
                assertThat(eveCalls.awaitExit(WAIT)).as(eveCalls.trace()).isZero();
                awaitDialog(adam, d -> !d.callId().isEmpty() && d.state().equals("terminated"), WAIT,
                        "Eve's call terminated on John's lamp");
                String callId = dialogs(adam).stream().filter(d -> !d.callId().isEmpty()).findFirst()
                        .orElseThrow().callId();
                List<String> states = statesOf(adam, callId);
                assertThat(states).as("John's lamp during Eve's call").contains("confirmed");
                assertThat(states.get(states.size() - 1)).isEqualTo("terminated");
                System.out.printf("BLF with the service away: states %s%n", states);

                // The service is back on the same address: new subscriptions are decided again.
                gate = new TcpDropProxy(Management.port(), gatePort);
                try (SippPhone eveWatches = subscribe(pbx, eveUser, "744", pbx.domain(), "200", target)) {
                    assertThat(awaitFinal(eveWatches, WAIT)).startsWith("200");
                    awaitNotifies(eveWatches, 1, WAIT);
                }
            }
        } finally {
            gate.close();
        }
    }
}
