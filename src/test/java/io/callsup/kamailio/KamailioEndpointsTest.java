package io.callsup.kamailio;

import io.callsup.calls.ActiveCall;
import io.callsup.supervision.SerialTriggers;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.Management;
import io.callsup.testsupport.TestApi;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * What Kamailio may send is checked at the edge: the shared secret first, then the body; every
 * refusal is a Problem Details body, and nothing received changes any state.
 */
@QuarkusTest
class KamailioEndpointsTest {

    private static final String BASE = "/internal/kamailio/v1/";

    private static ValidatableResponse post(String path, String secret, String body) {
        var request = Management.given().contentType(ContentType.JSON).body(body);
        if (secret != null) {
            request.header("X-Callsup-Secret", secret);
        }
        return request.post(BASE + path).then();
    }

    @Test
    void everyEndpointNeedsTheSharedSecret() {
        String invite = "{\"callId\":\"c1\",\"fromTag\":\"f\",\"dialled\":\"*90744\",\"domain\":\"d\",\"authUser\":\"u\","
                + "\"authDomain\":\"d\",\"sdp\":\"v=0\"}";
        for (String path : new String[]{"supervision-invites", "supervision-invites/outcome", "dialog-events",
                "supervisor-events"}) {
            String body = path.equals("supervision-invites") ? invite : path.endsWith("outcome")
                    ? "{\"callId\":\"c1\",\"fromTag\":\"f\",\"outcome\":\"answered\"}"
                    : "{\"event\":\"end\",\"callId\":\"c1\"}";
            post(path, null, body).statusCode(401).contentType("application/problem+json")
                    .body("detail", containsString("X-Callsup-Secret"));
            post(path, "not-the-secret", body).statusCode(401);
        }
    }

    @Test
    void malformedBodiesAreRefusedWithTheFieldNamed() {
        post("supervision-invites", KamailioResource.EVENT_SECRET, "{\"callId\": ").statusCode(400)
                .contentType("application/problem+json").body("title", equalTo("Malformed request body"));
        post("supervision-invites", KamailioResource.EVENT_SECRET, "{\"callId\":\"c1\"}").statusCode(400)
                .body("violations.field", hasItem("dialled"))
                .body("violations.field", hasItem("authUser"))
                .body("violations.field", hasItem("sdp"));
        post("dialog-events", KamailioResource.EVENT_SECRET, "{\"event\":\"explode\",\"callId\":\"c1\"}").statusCode(400)
                .body("violations[0].field", equalTo("event"));
        post("dialog-events", KamailioResource.EVENT_SECRET, "{\"event\":\"start\",\"callId\":\"c1\",\"hEntry\":\"x\"}")
                .statusCode(400).body("detail", containsString("hEntry"));
        post("supervisor-events", KamailioResource.EVENT_SECRET, "{\"event\":\"dtmf\",\"callId\":\"c1\"}").statusCode(400)
                .body("violations[0].field", equalTo("digit"));
        post("supervisor-events", KamailioResource.EVENT_SECRET, "{\"event\":\"dtmf\",\"callId\":\"c1\",\"digit\":\"12\"}")
                .statusCode(400).body("violations[0].field", equalTo("digit"));
        post("supervisor-events", KamailioResource.EVENT_SECRET, "[1,2,3]").statusCode(400);
        post("supervision-invites/outcome", KamailioResource.EVENT_SECRET, "{\"callId\":\"c1\",\"fromTag\":\"f\","
                + "\"outcome\":\"maybe\"}").statusCode(400).body("violations[0].field", equalTo("outcome"));
        post("supervision-invites/outcome", KamailioResource.EVENT_SECRET, "{\"outcome\":\"answered\"}").statusCode(400)
                .body("violations.field", hasItem("callId")).body("violations.field", hasItem("fromTag"));
    }

    @Test
    void dialogEventsKeepTheCallRegistry() {
        TestApi.Tenant t = TestApi.newTenant("Edge", true);
        long agent = TestApi.newAccount(t, "310", "Edge Agent");
        String callId = TestApi.unique("edge-call");
        post("dialog-events", KamailioResource.EVENT_SECRET, "{\"event\":\"start\",\"callId\":\"" + callId + "\","
                + "\"fromTag\":\"a\",\"toTag\":\"b\",\"caller\":{\"user\":\"+4930999\",\"domain\":\"" + t.sipDomain()
                + "\"},\"callee\":{\"user\":\"310\",\"domain\":\"" + t.sipDomain() + "\"}}").statusCode(204);
        assertThat(QuarkusTransaction.requiringNew().call(() -> ActiveCall.ofAccount(agent))).as("the started dialog is the agent's call")
                .extracting(c -> c.callId).containsExactly(callId);
        post("dialog-events", KamailioResource.EVENT_SECRET, "{\"event\":\"end\",\"callId\":\"" + callId + "\"}").statusCode(204);
        assertThat(QuarkusTransaction.requiringNew().call(() -> ActiveCall.ofAccount(agent))).as("the ended dialog is gone").isEmpty();
    }

    @Inject
    SerialTriggers triggers;

    private static long rows(String table) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) Panache.getEntityManager()
                .createNativeQuery("select count(*) from " + table).getSingleResult()).longValue());
    }

    @Test
    void eventsAboutUnknownDialogsAreHarmless() throws InterruptedException {
        long anonymousDenials = rows("audit_outbox where customer_id is null");
        post("dialog-events", KamailioResource.EVENT_SECRET, "{\"event\":\"end\",\"callId\":\"never-seen\"}").statusCode(204);
        // A digit or re-INVITE on a leg no live session has is refused (Kamailio logs it); a BYE there
        // is the usual race with the dialog's own end event.
        post("supervisor-events", KamailioResource.EVENT_SECRET,
                "{\"event\":\"dtmf\",\"callId\":\"never-seen\",\"digit\":\"1\"}").statusCode(404)
                .contentType("application/problem+json");
        post("supervisor-events", KamailioResource.EVENT_SECRET, "{\"event\":\"bye\",\"callId\":\"never-seen\"}").statusCode(204);
        post("supervisor-events", KamailioResource.EVENT_SECRET, "{\"event\":\"reinvite\",\"callId\":\"never-seen\","
                + "\"fromTag\":\"a\",\"toTag\":\"b\",\"direction\":\"sendonly\",\"hold\":true,\"ts\":1}").statusCode(404);
        // A dialog of a domain that is no customer's is not tracked, and says so by not failing.
        post("dialog-events", KamailioResource.EVENT_SECRET, "{\"event\":\"start\",\"callId\":\"x1\",\"fromTag\":\"a\","
                + "\"toTag\":\"b\",\"caller\":{\"user\":\"x\",\"domain\":\"nobody.test\"},"
                + "\"callee\":{\"user\":\"1\",\"domain\":\"nobody.test\"}}").statusCode(204);
        // An unknown caller's code is refused over SIP (403), not with an HTTP error.
        post("supervision-invites", KamailioResource.EVENT_SECRET, "{\"callId\":\"c9\",\"fromTag\":\"f\",\"dialled\":\"*90744\","
                + "\"domain\":\"nobody.test\",\"authUser\":\"ghost\",\"authDomain\":\"nobody.test\",\"sdp\":\"v=0\"}")
                .statusCode(200).body("action", equalTo("reject")).body("code", equalTo(403))
                .body("reason", equalTo("Caller Not Provisioned"));
        post("supervision-invites/outcome", KamailioResource.EVENT_SECRET, "{\"callId\":\"never-seen\",\"fromTag\":\"f\","
                + "\"outcome\":\"answered\"}").statusCode(204);
        // Digits are queued: let the queue drain, then nothing may have changed but the one denial.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (triggers.pending() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(300);
        assertThat(triggers.pending()).isZero();
        assertThat(rows("active_call where call_id in ('never-seen', 'x1')")).as("untracked dialogs").isZero();
        assertThat(rows("supervision_session where call_id in ('never-seen', 'c9') or supervisor_call_id in "
                + "('never-seen', 'c9')")).isZero();
        // The refused code of a caller who is nobody's is audited without a customer, once.
        assertThat(rows("audit_outbox where customer_id is null")).isEqualTo(anonymousDenials + 1);
    }
}
