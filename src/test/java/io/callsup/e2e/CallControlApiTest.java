package io.callsup.e2e;

import io.callsup.calls.ActiveCall;
import io.callsup.kamailio.KamailioRpc;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6 end to end: the call-control API with real Kamailio (tm.t_uac_wait from the MC socket to
 * the supervisor's SIPp phone), rtpengine (offer made by rtpengine, modes by the inject recipe) and
 * RTP tone endpoints that measure who hears whom.
 */
@QuarkusTest
class CallControlApiTest {

    static final String PW = "crm-password-123";

    @Inject
    KamailioRpc kamailio;

    /** A credential of {@code realm} with a role holding {@code permissions}. */
    static String credential(Pbx pbx, String realm, Long accountId, String... permissions) {
        long role = TestApi.newRole(pbx.abc, TestApi.unique("role"), permissions);
        String username = TestApi.unique("crm");
        Map<String, Object> body = new java.util.HashMap<>(Map.of("username", username, "password", PW,
                "realm", realm, "roleId", role));
        if (accountId != null) {
            body.put("accountId", accountId);
        }
        as(pbx.abc).body(body).post("/api/v1/customer/credentials").then().statusCode(201);
        return username;
    }

    static Response join(String user, String callId, long supervisor, String mode, String key, Integer ring) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("supervisorAccountId", supervisor, "mode", mode));
        if (ring != null) {
            body.put("ringTimeoutSeconds", ring);
        }
        var spec = as(user, PW).body(body);
        if (key != null) {
            spec = spec.header("Idempotency-Key", key);
        }
        return spec.post("/api/v1/calls/{callId}/supervisors", callId);
    }

    static Response patch(String user, String sessionId, String mode, String key) {
        var spec = as(user, PW).body(Map.of("mode", mode));
        if (key != null) {
            spec = spec.header("Idempotency-Key", key);
        }
        return spec.patch("/api/v1/supervision-sessions/{id}", sessionId);
    }

    static JsonPath session(String user, String id) {
        return as(user, PW).get("/api/v1/supervision-sessions/{id}", id).then().statusCode(200).extract().jsonPath();
    }

    static JsonPath awaitSession(String user, String id, String state, String mode) throws InterruptedException {
        return Pbx.await("session " + id + " " + state + "/" + mode, () -> {
            JsonPath s = session(user, id);
            return state.equals(s.getString("state")) && (mode == null || mode.equals(s.getString("mode"))) ? s : null;
        });
    }

    static void expectProblem(Response r, int status, String slug) {
        r.then().statusCode(status).contentType("application/problem+json");
        assertThat(r.jsonPath().getString("type")).isEqualTo("urn:callsup:problem:" + slug);
        assertThat(r.jsonPath().getInt("status")).isEqualTo(status);
    }

    static void awaitCallGone(String callId) throws InterruptedException {
        Pbx.await("call " + callId + " gone", () -> QuarkusTransaction.requiringNew().call(() ->
                ActiveCall.findById(callId) == null) ? Boolean.TRUE : null);
    }

    // ------------------------------------------------------------------ 1. CRM flow

    @Test
    void crmFlow() throws Exception {
        Pbx pbx = new Pbx(true);
        String crm = credential(pbx, "CUSTOMER", null, "CALL_CONTROL_MODIFY");
        try (RtpEndpoint john = new RtpEndpoint("John", Pbx.JOHN_HZ);
             RtpEndpoint client = new RtpEndpoint("client", Pbx.CLIENT_HZ);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone johnPhone = pbx.answeringPhone("john", pbx.johnUser, john);
             SippPhone adamPhone = pbx.answeringPhone("adam", pbx.adamUser, adam, "uas_originated.xml",
                     "ring_ms", "300", "pause1_ms", "200", "digit1", "5");
             SippPhone clientPhone = pbx.clientCallsUntilBye("744", client)) {
            Pbx.connect(john, johnPhone);
            Pbx.connect(client, clientPhone);
            ActiveCall call = Pbx.awaitCallOf(pbx.john);

            // The CRM lists John's call: agent, hunt group, masked client number, nobody supervising yet.
            JsonPath list = as(crm, PW).queryParam("extension", "744").get("/api/v1/calls")
                    .then().statusCode(200).extract().jsonPath();
            assertThat(list.getList("callId")).containsExactly(call.callId);
            assertThat(list.getString("[0].agent.extension")).isEqualTo("744");
            assertThat(list.getLong("[0].agent.accountId")).isEqualTo(pbx.john);
            assertThat(list.getList("[0].huntGroups.name")).containsExactly("Support");
            assertThat(list.getString("[0].clientNumber")).isEqualTo("****nt").doesNotContain("client");
            assertThat(list.getString("[0].startedAt")).isNotBlank();
            assertThat(list.getList("[0].supervisors")).isEmpty();
            assertThat(as(crm, PW).queryParam("huntGroupId", pbx.support).get("/api/v1/calls")
                    .then().statusCode(200).extract().jsonPath().getList("callId")).containsExactly(call.callId);
            assertThat(as(crm, PW).queryParam("extension", "745").get("/api/v1/calls")
                    .then().statusCode(200).extract().jsonPath().getList("callId")).isEmpty();

            // Join Adam in spy: his phone rings, answers, and he hears both parties.
            Response joined = join(crm, call.callId, pbx.adam, "SPY", null, null);
            joined.then().statusCode(202);
            String id = joined.jsonPath().getString("id");
            assertThat(joined.jsonPath().getString("state")).isEqualTo("RINGING");
            assertThat(joined.header("Location")).endsWith("/api/v1/supervision-sessions/" + id);
            Pbx.connect(adam, adamPhone);
            awaitSession(crm, id, "ACTIVE", "SPY");
            expectRow("spy: Adam hears both, nobody hears Adam",
                    row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
            JsonPath entry = as(crm, PW).get("/api/v1/calls/{id}", call.callId).then().statusCode(200)
                    .extract().jsonPath();
            assertThat(entry.getString("supervisors[0].sessionId")).isEqualTo(id);
            assertThat(entry.getString("supervisors[0].supervisor.extension")).isEqualTo("745");
            assertThat(entry.getString("supervisors[0].mode")).isEqualTo("SPY");

            // Adam's own leg is no call to supervise.
            SupervisionSession row = Pbx.sessionOf(pbx.adam).orElseThrow();
            ActiveCall leg = Pbx.await("Adam's leg tracked", () -> QuarkusTransaction.requiringNew().call(() ->
                    ActiveCall.<ActiveCall>findById(row.supervisorCallId)));
            assertThat(leg.supervisionLeg).isTrue();
            expectProblem(join(crm, leg.callId, pbx.john, "SPY", null, null), 409, "target-is-supervision-leg");

            patch(crm, id, "WHISPER", null).then().statusCode(200);
            expectRow("whisper: John hears Adam, the client does not",
                    row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), client, hz(Pbx.JOHN_HZ),
                            adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
            assertThat(patch(crm, id, "BARGE", null).then().statusCode(200).extract().jsonPath().getString("mode"))
                    .isEqualTo("BARGE");
            expectRow("barge: both hear Adam",
                    row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), client, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ),
                            adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

            // Adam presses 0 (RFC 4733) in the API-joined session: back to spy.
            adam.sendDigit('0', 200);
            awaitSession(crm, id, "ACTIVE", "SPY");
            Thread.sleep(400); // the keypress is briefly audible in the new mix (rtpengine.md)
            expectRow("back to spy by Adam's digit",
                    row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

            // Leave through the API: Adam's leg is hung up, John and the client go on.
            JsonPath left = as(crm, PW).delete("/api/v1/supervision-sessions/{id}", id).then().statusCode(200)
                    .extract().jsonPath();
            assertThat(left.getString("state")).isEqualTo("ENDED");
            assertThat(left.getString("endReason")).isEqualTo("API");
            assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
            expectRow("after leaving", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ), adam, hz()));

            // The history says what moved the mode and who.
            JsonPath s = session(crm, id);
            assertThat(s.getList("history.fromMode")).containsExactly(null, "SPY", "WHISPER", "BARGE");
            assertThat(s.getList("history.toMode")).containsExactly("SPY", "WHISPER", "BARGE", "SPY");
            assertThat(s.getList("history.trigger")).containsExactly("API", "API", "API", "RFC4733");
            assertThat(s.getList("history.triggeredBy.kind"))
                    .containsExactly("API_CREDENTIAL", "API_CREDENTIAL", "API_CREDENTIAL", "SUPERVISOR_PHONE");
            assertThat(s.getList("history.triggeredBy.credentialUsername")).containsExactly(crm, crm, crm, null);
            assertThat(s.getLong("history[3].triggeredBy.accountId")).isEqualTo(pbx.adam);
            assertThat(s.getString("joinedBy")).isEqualTo("APPLICATION");
            assertThat(s.getString("credentialRealm")).isEqualTo("CUSTOMER");
            expectProblem(patch(crm, id, "WHISPER", null), 410, "session-ended");

            // The call ends: joining it now is 410.
            assertThat(kamailio.endDialog(call.callId, "test over")).isTrue();
            assertThat(clientPhone.awaitExit(Pbx.SIP_WAIT)).as(clientPhone.trace()).isZero();
            awaitCallGone(call.callId);
            expectProblem(join(crm, call.callId, pbx.adam, "SPY", null, null), 410, "call-ended");
        }
    }

    // ------------------------------------------------------------------ 2. failed origination

    @Test
    void noAnswerAndBusyAreReported() throws Exception {
        Pbx pbx = new Pbx(true);
        String crm = credential(pbx, "CUSTOMER", null, "CALL_CONTROL_MODIFY");
        try (RtpEndpoint john = new RtpEndpoint("John", Pbx.JOHN_HZ);
             RtpEndpoint client = new RtpEndpoint("client", Pbx.CLIENT_HZ);
             SippPhone johnPhone = pbx.answeringPhone("john", pbx.johnUser, john);
             SippPhone clientPhone = pbx.clientCallsUntilBye("744", client)) {
            Pbx.connect(john, johnPhone);
            Pbx.connect(client, clientPhone);
            ActiveCall call = Pbx.awaitCallOf(pbx.john);
            // Each phone its own account: a second registration of one user would fork the INVITE.
            String maryUser = TestApi.unique("mary");
            long mary = pbx.account("746", "Mary", maryUser);

            // No answer: the service cancels after the ring timeout; the phone sees the CANCEL.
            try (SippPhone ringing = pbx.registeredPhone("adam-noanswer", pbx.adamUser, "uas_noanswer.xml")) {
                String id = join(crm, call.callId, pbx.adam, "SPY", null, 5).then().statusCode(202)
                        .extract().jsonPath().getString("id");
                JsonPath s = Pbx.await("no answer reported", () -> {
                    JsonPath p = session(crm, id);
                    return "ENDED".equals(p.getString("state")) ? p : null;
                });
                assertThat(s.getString("endReason")).isEqualTo("NO_ANSWER");
                assertThat(s.getList("history")).isEmpty();
                assertThat(ringing.awaitExit(Pbx.SIP_WAIT)).as(ringing.trace()).isZero();
                assertThat(ringing.receivedCallIds("CANCEL ")).hasSize(1);
            }
            // Busy (Mary is in no hunt group: a customer-realm credential needs no flag).
            try (SippPhone busy = pbx.registeredPhone("mary-busy", maryUser, "uas_busy.xml")) {
                String id = join(crm, call.callId, mary, "WHISPER", null, null).then().statusCode(202)
                        .extract().jsonPath().getString("id");
                JsonPath s = Pbx.await("busy reported", () -> {
                    JsonPath p = session(crm, id);
                    return "ENDED".equals(p.getString("state")) ? p : null;
                });
                assertThat(s.getString("endReason")).isEqualTo("BUSY");
                assertThat(busy.awaitExit(Pbx.SIP_WAIT)).as(busy.trace()).isZero();
            }
            expectRow("John and the client never noticed", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ)));
            assertThat(kamailio.endDialog(call.callId, "test over")).isTrue();
            assertThat(clientPhone.awaitExit(Pbx.SIP_WAIT)).as(clientPhone.trace()).isZero();
        }
    }
}
