package io.callsup.e2e;

import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.Management;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.RawSip;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Someone who knows a supervisor leg's Call-ID (but not its tags) forges INFO "2" (barge) and BYE
 * through Kamailio, on a dialled leg and on an API-joined leg: every forgery gets 481, the session
 * stays in spy with nothing audited, and by ear the client still does not hear the manager. The
 * service's own check is shown too: a supervisor event with the right Call-ID and wrong tags, posted
 * with Kamailio's secret, is refused with 409 and changes nothing.
 */
@QuarkusTest
class SipSpoofingTest {

    private static final Duration WAIT = Duration.ofSeconds(3);

    /** The forgeries for a leg: {label, From-tag, To-tag, method, content type, body}. */
    private static List<String[]> forgeries(String phoneTag, String otherTag) {
        String made = RawSip.token();
        String half = otherTag.substring(0, otherTag.length() / 2);
        List<String[]> f = new ArrayList<>();
        for (String[] tags : new String[][]{{"made-up tags", made, RawSip.token()},
                {"phone tag + made-up To-tag", phoneTag, made}, {"made-up From-tag + right To-tag", made, otherTag},
                {"tags swapped", otherTag, phoneTag}, {"truncated To-tag", phoneTag, half}}) {
            f.add(new String[]{tags[0] + " / INFO Signal=2", tags[1], tags[2], "INFO", "application/dtmf-relay",
                    "Signal=2\r\nDuration=160\r\n"});
            f.add(new String[]{tags[0] + " / INFO dtmf 2", tags[1], tags[2], "INFO", "application/dtmf", "2\r\n"});
            f.add(new String[]{tags[0] + " / BYE", tags[1], tags[2], "BYE", null, ""});
        }
        return f;
    }

    private static void forgeAll(String callId, String phoneTag, String otherTag, String user, String domain) {
        String mc = ConfigProvider.getConfig().getValue("callsup.kamailio.mc-socket", String.class);
        String proxy = KamailioResource.HOST + ":" + KamailioResource.sipPort();
        int cseq = 100;
        try (RawSip sip = new RawSip("127.0.0.1")) {
            for (String[] f : forgeries(phoneTag, otherTag)) {
                String body = f[5];
                String msg = f[3] + " sip:" + mc + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP " + sip.local() + ";branch=" + RawSip.branch() + ";rport\r\n"
                        + "Max-Forwards: 70\r\n"
                        + "Route: <sip:" + proxy + ";lr>\r\n"
                        + "From: <sip:" + user + "@" + domain + ">;tag=" + f[1] + "\r\n"
                        + "To: <sip:x@" + domain + ">;tag=" + f[2] + "\r\n"
                        + "Call-ID: " + callId + "\r\n"
                        + "CSeq: " + cseq++ + " " + f[3] + "\r\n"
                        + (f[4] == null ? "" : "Content-Type: " + f[4] + "\r\n")
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body;
                RawSip.Reply reply = sip.request(msg, KamailioResource.sipPort(), WAIT);
                assertThat(reply).as(f[0]).isNotNull();
                assertThat(reply.code()).as(f[0] + ": " + reply).isEqualTo(481);
            }
        }
    }

    /** Kamailio's secret, the right Call-ID, wrong tags: the service's own check refuses. */
    private static void serviceRefusesWrongTags(String callId, String phoneTag) {
        for (String body : new String[]{
                "{\"event\":\"dtmf\",\"callId\":\"" + callId + "\",\"fromTag\":\"" + phoneTag + "\",\"toTag\":\"x\",\"digit\":\"2\"}",
                "{\"event\":\"dtmf\",\"callId\":\"" + callId + "\",\"digit\":\"2\"}",
                "{\"event\":\"bye\",\"callId\":\"" + callId + "\",\"fromTag\":\"x\",\"toTag\":\"" + phoneTag + "\"}"}) {
            Management.given().contentType(ContentType.JSON).header("X-Callsup-Secret", KamailioResource.EVENT_SECRET).body(body)
                    .post("/internal/kamailio/v1/supervisor-events").then().statusCode(409)
                    .contentType("application/problem+json");
        }
    }

    private static void assertUnchanged(SupervisionSession session, Pbx.JohnsCall johns, RtpEndpoint adam)
            throws InterruptedException {
        Thread.sleep(500);
        SupervisionSession now = Pbx.session(session.id);
        assertThat(now.state).isEqualTo(SessionState.ACTIVE);
        assertThat(now.mode).isEqualTo(SupervisionMode.SPY);
        assertThat(Pbx.history(now)).as("mode history").hasSize(1);
        assertThat(Pbx.auditOf(session.id)).as("audit after the forgeries").containsExactly("started");
        // Spy by ear: the client hears John only, never Adam.
        expectRow("after the forgeries: still spy", row(johns.john, hz(Pbx.CLIENT_HZ), johns.client, hz(Pbx.JOHN_HZ),
                adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
    }

    @Test
    void forgedInfoAndByeOnADialledLegChangeNothing() throws Exception {
        Pbx pbx = new Pbx(true);
        try (Pbx.JohnsCall johns = pbx.johnsCall(null);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_wait_bye.xml", adam)) {
            Pbx.connect(adam, adamPhone);
            SupervisionSession s = Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
            SupervisionSession leg = Pbx.await("leg tags", () -> Pbx.session(s.id).supervisorToTag != null
                    ? Pbx.session(s.id) : null);
            assertThat(leg.supervisorFromTag).as("the phone's tag").isNotBlank();

            forgeAll(leg.supervisorCallId, leg.supervisorFromTag, leg.supervisorToTag, pbx.adamUser, pbx.domain());
            serviceRefusesWrongTags(leg.supervisorCallId, leg.supervisorFromTag);
            assertUnchanged(s, johns, adam);
        }
    }

    @Test
    void forgedInfoAndByeOnAnApiJoinedLegChangeNothing() throws Exception {
        Pbx pbx = new Pbx(true);
        String crm = CallControlApiTest.credential(pbx, "CUSTOMER", null, "CALL_CONTROL_MODIFY");
        try (Pbx.JohnsCall johns = pbx.johnsCall(null);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             // The phone's own INFO digit is "5" (no meaning): the session stays in spy.
             SippPhone adamPhone = pbx.answeringPhone("adam", pbx.adamUser, adam, "uas_originated.xml",
                     "ring_ms", "100", "pause1_ms", "200", "digit1", "5")) {
            String id = CallControlApiTest.join(crm, johns.call.callId, pbx.adam, "SPY", null, null).then()
                    .statusCode(202).extract().jsonPath().getString("id");
            Pbx.connect(adam, adamPhone);
            SupervisionSession s = Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
            assertThat(s.id.toString()).isEqualTo(id);
            SupervisionSession leg = Pbx.await("leg tags", () -> Pbx.session(s.id).supervisorToTag != null
                    ? Pbx.session(s.id) : null);
            assertThat(leg.supervisorCallId).as("no session id in the leg's Call-ID").doesNotContain(id)
                    .matches("[A-Za-z0-9_-]{22}@.+");

            // The phone is the callee: its requests carry its tag (the dialog's To-tag) as From-tag.
            forgeAll(leg.supervisorCallId, leg.supervisorToTag, leg.supervisorFromTag, pbx.adamUser, pbx.domain());
            serviceRefusesWrongTags(leg.supervisorCallId, leg.supervisorToTag);
            assertUnchanged(s, johns, adam);
        }
    }
}
