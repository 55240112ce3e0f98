package io.callsup.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.callsup.kamailio.KamailioRpc;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.callsup.e2e.CallControlApiTest.PW;
import static io.callsup.e2e.CallControlApiTest.credential;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14: the manager's console in a real browser (Debian's Chromium through playwright-core)
 * against the real stack: every click is checked where it matters, on the phones and in the tones
 * (Goertzel, presence and absence), not only in the page. Screenshots go to docs/console-*.png.
 */
@QuarkusTest
class ConsoleBrowserTest {

    @Inject
    KamailioRpc kamailio;

    static String url() {
        return "http://127.0.0.1:" + RestAssured.port + "/console/";
    }

    static String card(String callId) {
        return "article.call[data-call-id=\"" + callId + "\"]";
    }

    static void signIn(Browser b, String page, String user) throws Exception {
        b.fill(page, "#username", user);
        b.fill(page, "#password", PW);
        b.click(page, "#sign-in button[type=submit]");
        b.waitText(page, "#stream", "Live");
        // Signed in, the form must be gone from the screen, not only marked hidden (a layout rule once kept it).
        b.waitHidden(page, "#sign-in");
    }

    @Test
    void aManagerSupervisesJohnsCallFromTheConsole() throws Exception {
        Pbx pbx = new Pbx(true);
        Pbx other = new Pbx(true);
        String crm = credential(pbx, "CUSTOMER", null, "CALL_CONTROL_MODIFY");
        String otherCrm = credential(other, "CUSTOMER", null, "CALL_CONTROL_MODIFY");
        String maryUser = TestApi.unique("mary");
        long mary = pbx.account("746", "Mary", maryUser);
        TestApi.putMember(pbx.abc, pbx.support, mary, false);
        String marySelf = credential(pbx, "ACCOUNT", mary, "CALL_CONTROL_MODIFY");

        try (Browser b = new Browser(); TcpDropProxy proxy = new TcpDropProxy(RestAssured.port)) {
            // Signed in by keyboard alone before any call: the page is live and empty.
            b.open("main", url(), 1280, 900);
            b.send("focus", "page", "main", "sel", "#username");
            b.send("type", "page", "main", "text", crm);
            b.send("press", "page", "main", "key", "Tab");
            b.send("type", "page", "main", "text", PW);
            b.send("press", "page", "main", "key", "Enter");
            b.waitText("main", "#stream", "Live");
            b.waitText("main", "#calls", "No call in progress.");

            // Another customer's call (one at a time: the carrier trunk's SIPp port is shared) shows up on its
            // manager's page and never on this one, although both pages follow the same service's stream.
            b.open("other", url(), 1280, 900);
            signIn(b, "other", otherCrm);
            try (Pbx.JohnsCall othersCall = other.johnsCall(null)) {
                b.waitFor("other", card(othersCall.call.callId));
                Thread.sleep(1000);
                assertThat(b.count("main", "article.call")).isZero();
                assertThat(b.texts("main", "#calls")).containsExactly("No call in progress.");
                assertThat(kamailio.endDialog(KamailioRpc.DialogKey.anyWithCallId(othersCall.call.callId), "test over")).isTrue();
                assertThat(othersCall.clientPhone.awaitExit(Pbx.SIP_WAIT)).isZero();
                b.waitGone("other", card(othersCall.call.callId));
            }

            try (Pbx.JohnsCall johns = pbx.johnsCall(null);
                 RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
                 SippPhone adamPhone = pbx.answeringPhone("adam", pbx.adamUser, adam, "uas_originated.xml",
                         "ring_ms", "1500", "pause1_ms", "200", "digit1", "5")) {
                String callId = johns.call.callId;
                RtpEndpoint john = johns.john;
                RtpEndpoint client = johns.client;

                // John's call appears by itself (the event stream, no reload), under its hunt group, masked.
                b.waitFor("main", card(callId));
                String text = b.waitText("main", card(callId), "John (744)");
                assertThat(text).contains("****nt").doesNotContain("client").contains("Nobody is supervising.");
                assertThat(b.texts("main", "section.group h2")).containsExactly("Support");
                assertThat(b.count("main", "article.call")).isEqualTo(1);
                b.screenshot("main", "console-calls.png");

                // Filters: an extension that matches nothing hides the call, clearing it brings it back.
                b.fill("main", "#filter-extension", "745");
                b.waitGone("main", card(callId));
                b.fill("main", "#filter-extension", "74");
                b.waitFor("main", card(callId));

                // Join Adam in spy: ringing, then active once his phone answers; he hears both, nobody hears him.
                // The phone to ring: the customer realm may name any account; the list starts with John (744).
                b.send("select", "page", "main", "sel", "#supervisor", "label", "Adam (745)");
                b.click("main", card(callId) + " button.join[data-mode=SPY]");
                b.waitText("main", "#sessions", "ringing");
                Pbx.connect(adam, adamPhone);
                b.waitText("main", card(callId) + " li.supervisor", "active");
                assertThat(b.waitText("main", card(callId) + " li.supervisor", "Adam (745)")).contains("Spy");
                expectRow("spy by click: Adam hears both, nobody hears Adam",
                        row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                b.screenshot("main", "console-spy.png");

                // A refused click is explained in words from the Problem Details.
                b.click("main", card(callId) + " button.join[data-mode=BARGE]");
                assertThat(b.waitText("main", "#notice", "Already supervising")).contains("already supervises call");
                b.waitText("main", "#refusals", "Already supervising");

                // Whisper by keyboard (focus + Enter), barge by click; the tones follow.
                b.send("focus", "page", "main", "sel", card(callId) + " button.switch[data-mode=WHISPER]");
                b.send("press", "page", "main", "key", "Enter");
                Pbx.awaitMode(pbx.adam, SupervisionMode.WHISPER);
                b.waitText("main", card(callId) + " li.supervisor .mode", "Whisper");
                expectRow("whisper by keyboard: John hears Adam, the client does not",
                        row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), client, hz(Pbx.JOHN_HZ),
                                adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                b.click("main", card(callId) + " button.switch[data-mode=BARGE]");
                Pbx.awaitMode(pbx.adam, SupervisionMode.BARGE);
                b.waitText("main", card(callId) + " li.supervisor .mode", "Barge");
                expectRow("barge by click: both hear Adam",
                        row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), client, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ),
                                adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

                // Adam presses 0 on his phone: the page follows without a click.
                adam.sendDigit('0', 200);
                Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
                b.waitText("main", card(callId) + " li.supervisor .mode", "Spy");
                b.waitText("main", "#sessions .timeline", "key pressed on the supervisor's phone");

                // An account-realm user without 'supervision allowed' sees the call but no join button,
                // and a forged join is refused by the API.
                b.open("mary", url(), 390, 844);
                signIn(b, "mary", marySelf);
                b.waitFor("mary", card(callId));
                assertThat(b.count("mary", "button.join")).isZero();
                assertThat(b.count("mary", "button.switch, button.leave")).isZero();
                JsonNode forged = b.forge("mary", "POST", "/api/v1/calls/" + callId + "/supervisors",
                        Map.of("supervisorAccountId", mary, "mode", "SPY"));
                assertThat(forged.path("status").asInt()).isEqualTo(403);
                assertThat(forged.path("body").asText()).contains("urn:callsup:problem:supervision-not-allowed");
                b.screenshot("mary", "console-account-no-flag-narrow.png");

                // The other customer's manager never sees John's call or Adam's session.
                assertThat(b.count("other", "article.call")).isZero();
                assertThat(b.waitText("other", "#sessions", "No session yet.")).doesNotContain("Adam");

                // Leave: Adam's leg is hung up, John and the client go on, the timeline tells the story.
                SupervisionSession s = Pbx.sessionOf(pbx.adam).orElseThrow();
                b.click("main", card(callId) + " button.leave");
                assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
                b.waitText("main", card(callId), "Nobody is supervising.");
                String session = b.waitText("main", ".session[data-session-id=\"" + s.id + "\"]",
                        "left from the console");
                assertThat(b.texts("main", ".session[data-session-id=\"" + s.id + "\"] .timeline li")).hasSize(4);
                assertThat(session).contains("started in Spy").contains("Spy → Whisper").contains("Whisper → Barge")
                        .contains("Barge → Spy").contains("(by " + crm + ")").contains("(by Adam (745))");
                expectRow("after leaving", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ), adam, hz()));
                b.screenshot("main", "console-timeline.png");

                // The same page on a phone-sized screen.
                b.send("viewport", "page", "main", "width", 390, "height", 844);
                b.screenshot("main", "console-narrow.png");

                // A dropped event stream is shown and retried (kept offline so the state can be seen), then the
                // page is live again and still follows the call: it disappears when it ends below.
                b.open("net", "http://127.0.0.1:" + proxy.port() + "/console/", 1280, 900);
                signIn(b, "net", crm);
                b.waitFor("net", card(callId));
                b.send("offline", "page", "net", "value", true);
                proxy.dropAll();
                b.waitText("net", "#stream", "reconnecting");
                b.screenshot("net", "console-reconnecting.png");
                b.send("offline", "page", "net", "value", false);
                b.waitText("net", "#stream", "Live");

                assertThat(kamailio.endDialog(KamailioRpc.DialogKey.anyWithCallId(callId), "test over")).isTrue();
                assertThat(johns.clientPhone.awaitExit(Pbx.SIP_WAIT)).as(johns.clientPhone.trace()).isZero();
                b.waitGone("main", card(callId));
                b.waitGone("net", card(callId));
            }
            assertThat(b.send("logs", "page", "main").toString()).doesNotContain("pageerror");
        }
    }
}
