package io.callsup.e2e;

import io.callsup.calls.ActiveCall;
import io.callsup.kamailio.KamailioRpc;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.AuditConsumer;
import io.callsup.testsupport.EventSchema;
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
        try (Pbx.JohnsCall johns = pbx.johnsCall(null);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone adamPhone = pbx.answeringPhone("adam", pbx.adamUser, adam, "uas_originated.xml",
                     "ring_ms", "300", "pause1_ms", "200", "digit1", "5")) {
            RtpEndpoint john = johns.john;
            RtpEndpoint client = johns.client;
            SippPhone clientPhone = johns.clientPhone;
            ActiveCall call = johns.call;

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
            assertThat(kamailio.endDialog(KamailioRpc.DialogKey.anyWithCallId(call.callId), "test over")).isTrue();
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
        try (AuditConsumer billing = AuditConsumer.subscribe("customerId = " + pbx.abc.customerId());
             RtpEndpoint john = new RtpEndpoint("John", Pbx.JOHN_HZ);
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
            // Billing and compliance learn of both failures, with the reason and the API as trigger.
            List<AuditConsumer.Received> audit = billing.awaitCount(2, Duration.ofSeconds(20));
            assertThat(audit).extracting(AuditConsumer.Received::shortType).containsExactly("denied", "denied");
            assertThat(audit).extracting(e -> e.json().at("/data/reason").asText() + "/"
                    + e.json().at("/data/trigger").asText()).containsExactly("no-answer/api", "busy/api");
            assertThat(audit).allSatisfy(e -> assertThat(EventSchema.violations(e.json())).as(e.body()).isEmpty());
            assertThat(kamailio.endDialog(KamailioRpc.DialogKey.anyWithCallId(call.callId), "test over")).isTrue();
            assertThat(clientPhone.awaitExit(Pbx.SIP_WAIT)).as(clientPhone.trace()).isZero();
        }
    }

    // ------------------------------------------------------------------ 3. realm and permission matrix

    @Test
    void realmAndPermissionMatrix() throws Exception {
        Pbx pbx = new Pbx(true);
        String maryUser = TestApi.unique("mary");
        long mary = pbx.account("746", "Mary", maryUser);
        String readOnly = credential(pbx, "CUSTOMER", null, "CALL_CONTROL_READ");
        String nothing = credential(pbx, "CUSTOMER", null);
        String crm = credential(pbx, "CUSTOMER", null, "CALL_CONTROL_MODIFY");
        String adamSelf = credential(pbx, "ACCOUNT", pbx.adam, "CALL_CONTROL_MODIFY");
        String marySelf = credential(pbx, "ACCOUNT", mary, "CALL_CONTROL_MODIFY");
        try (Pbx.JohnsCall johns = pbx.johnsCall(null)) {
            SippPhone clientPhone = johns.clientPhone;
            String callId = johns.call.callId;

            // Read access.
            as(readOnly, PW).get("/api/v1/calls").then().statusCode(200);
            expectProblem(as(nothing, PW).get("/api/v1/calls"), 403, "missing-permission");
            expectProblem(TestApi.admin().get("/api/v1/calls"), 403, "forbidden");
            // Modify needs CALL_CONTROL_MODIFY.
            expectProblem(join(readOnly, callId, pbx.adam, "SPY", null, null), 403, "missing-permission");
            expectProblem(join(nothing, callId, pbx.adam, "SPY", null, null), 403, "missing-permission");
            // Account realm: only itself, and only with the flag in a shared group.
            expectProblem(join(adamSelf, callId, mary, "SPY", null, null), 403, "not-own-account");
            expectProblem(join(marySelf, callId, mary, "SPY", null, null), 403, "no-shared-hunt-group");
            TestApi.putMember(pbx.abc, pbx.support, mary, false);
            expectProblem(join(marySelf, callId, mary, "SPY", null, null), 403, "supervision-not-allowed");
            // Nobody supervises their own call.
            expectProblem(join(crm, callId, pbx.john, "SPY", null, null), 409, "own-call");
            // The customer's switch is always required.
            TestApi.admin().body(Map.of("enabled", false))
                    .put("/api/v1/admin/customers/" + pbx.abc.customerId() + "/supervision").then().statusCode(200);
            expectProblem(join(crm, callId, mary, "SPY", null, null), 403, "supervision-disabled");
            expectProblem(join(adamSelf, callId, pbx.adam, "SPY", null, null), 403, "supervision-disabled");
            TestApi.admin().body(Map.of("enabled", true))
                    .put("/api/v1/admin/customers/" + pbx.abc.customerId() + "/supervision").then().statusCode(200);
            long refused = QuarkusTransaction.requiringNew().call(() ->
                    SupervisionSession.count("customerId", pbx.abc.customerId()));
            assertThat(refused).as("no refusal leaves a session").isZero();

            // Allowed: the customer realm names Mary (flag off), the account realm names itself (flag on).
            // Both phones are busy, which proves the phone was rung and ends the sessions.
            try (SippPhone maryPhone = pbx.registeredPhone("mary-busy", maryUser, "uas_busy.xml")) {
                String id = join(crm, callId, mary, "SPY", null, null).then().statusCode(202).extract().jsonPath()
                        .getString("id");
                assertThat(maryPhone.awaitExit(Pbx.SIP_WAIT)).as(maryPhone.trace()).isZero();
                assertThat(awaitSession(crm, id, "ENDED", null).getString("endReason")).isEqualTo("BUSY");
                // Reading and switching an ended session.
                as(readOnly, PW).get("/api/v1/supervision-sessions/{id}", id).then().statusCode(200);
                expectProblem(patch(readOnly, id, "BARGE", null), 403, "missing-permission");
                expectProblem(as(readOnly, PW).delete("/api/v1/supervision-sessions/{id}", id), 403,
                        "missing-permission");
                expectProblem(patch(adamSelf, id, "BARGE", null), 403, "not-own-account");
            }
            try (SippPhone adamPhone = pbx.registeredPhone("adam-busy", pbx.adamUser, "uas_busy.xml")) {
                String id = join(adamSelf, callId, pbx.adam, "WHISPER", null, null).then().statusCode(202)
                        .extract().jsonPath().getString("id");
                assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
                JsonPath s = awaitSession(adamSelf, id, "ENDED", null);
                assertThat(s.getString("credentialRealm")).isEqualTo("ACCOUNT");
            }
            assertThat(kamailio.endDialog(KamailioRpc.DialogKey.anyWithCallId(callId), "test over")).isTrue();
            assertThat(clientPhone.awaitExit(Pbx.SIP_WAIT)).as(clientPhone.trace()).isZero();
        }
    }

    // ------------------------------------------------------------------ 4. idempotent retries

    @Test
    void retriesNeverRingTwiceOrSwitchTwice() throws Exception {
        Pbx pbx = new Pbx(true);
        String crm = credential(pbx, "CUSTOMER", null, "CALL_CONTROL_MODIFY");
        try (Pbx.JohnsCall johns = pbx.johnsCall(null);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone adamPhone = pbx.answeringPhone("adam", pbx.adamUser, adam, "uas_originated.xml",
                     "ring_ms", "300", "pause1_ms", "200", "digit1", "5")) {
            RtpEndpoint john = johns.john;
            RtpEndpoint client = johns.client;
            SippPhone clientPhone = johns.clientPhone;
            String callId = johns.call.callId;

            Response first = join(crm, callId, pbx.adam, "SPY", "join-1", null);
            first.then().statusCode(202);
            String id = first.jsonPath().getString("id");
            Response retry = join(crm, callId, pbx.adam, "SPY", "join-1", null);
            retry.then().statusCode(202).header("Idempotent-Replayed", "true");
            assertThat(retry.jsonPath().getString("id")).isEqualTo(id);
            assertThat(retry.header("Location")).isEqualTo(first.header("Location"));
            expectProblem(join(crm, callId, pbx.adam, "WHISPER", "join-1", null), 422, "idempotency-key-reused");
            Pbx.connect(adam, adamPhone);
            awaitSession(crm, id, "ACTIVE", "SPY");
            // Without a key, a second join of the same supervisor is refused rather than ringing again.
            expectProblem(join(crm, callId, pbx.adam, "SPY", null, null), 409, "already-supervising");
            // A retry after the answer still replays the first response.
            join(crm, callId, pbx.adam, "SPY", "join-1", null).then().statusCode(202)
                    .header("Idempotent-Replayed", "true");

            patch(crm, id, "WHISPER", "switch-1").then().statusCode(200);
            patch(crm, id, "BARGE", "switch-2").then().statusCode(200);
            Response replayed = patch(crm, id, "WHISPER", "switch-1");
            replayed.then().statusCode(200).header("Idempotent-Replayed", "true");
            assertThat(replayed.jsonPath().getString("mode")).isEqualTo("WHISPER");
            JsonPath s = session(crm, id);
            assertThat(s.getString("mode")).as("the retried switch did not switch again").isEqualTo("BARGE");
            assertThat(s.getList("history.toMode")).containsExactly("SPY", "WHISPER", "BARGE");
            expectRow("still barge", row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), client, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ)));

            as(crm, PW).header("Idempotency-Key", "leave-1").delete("/api/v1/supervision-sessions/{id}", id)
                    .then().statusCode(200);
            as(crm, PW).header("Idempotency-Key", "leave-1").delete("/api/v1/supervision-sessions/{id}", id)
                    .then().statusCode(200).header("Idempotent-Replayed", "true");
            assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
            assertThat(adamPhone.receivedCallIds("INVITE ")).as("Adam's phone rang once").hasSize(1);
            long sessions = QuarkusTransaction.requiringNew().call(() ->
                    SupervisionSession.count("supervisorAccountId", pbx.adam));
            assertThat(sessions).isEqualTo(1);
            assertThat(kamailio.endDialog(KamailioRpc.DialogKey.anyWithCallId(callId), "test over")).isTrue();
            assertThat(clientPhone.awaitExit(Pbx.SIP_WAIT)).as(clientPhone.trace()).isZero();
        }
    }

    // ------------------------------------------------------------------ 5 and 6. tenant isolation, live stream

    /** Reads an SSE stream in the background: (event name, data) pairs. */
    static final class SseClient implements AutoCloseable {
        final List<String[]> events = new CopyOnWriteArrayList<>();
        private final CompletableFuture<?> running;

        SseClient(String user) throws InterruptedException {
            this(user, PW);
        }

        SseClient(String user, String password) throws InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port
                            + "/api/v1/events"))
                    .header("Accept", "text/event-stream")
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                            .getBytes(StandardCharsets.UTF_8))).build();
            String[] name = new String[1];
            running = HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                    .thenAccept(r -> r.body().forEach(line -> {
                        if (line.startsWith("event:")) {
                            name[0] = line.substring(6).strip();
                        } else if (line.startsWith("data:") && name[0] != null) {
                            events.add(new String[]{name[0], line.substring(5).strip()});
                            name[0] = null;
                        }
                    }));
            Pbx.await("the stream is open", () -> events.isEmpty() ? null : Boolean.TRUE);
            assertThat(events.get(0)[0]).isEqualTo("ready");
        }

        List<String> names() {
            return events.stream().map(e -> e[0]).toList();
        }

        List<JsonPath> of(String type) {
            return events.stream().filter(e -> e[0].equals(type)).map(e -> new JsonPath(e[1])).toList();
        }

        @Override
        public void close() {
            running.cancel(true);
        }
    }

    @Test
    void liveStreamShowsTheCrmFlowInOrderAndOtherCustomersSeeNothing() throws Exception {
        Pbx pbx = new Pbx(true);
        String crm = credential(pbx, "CUSTOMER", null, "CALL_CONTROL_READ", "CALL_CONTROL_MODIFY");
        TestApi.Tenant b = TestApi.newTenant("B", true);
        long bob = TestApi.newAccount(b, "100", "Bob");
        try (SseClient stream = new SseClient(crm);
             SseClient otherStream = new SseClient(b.username(), TestApi.PASSWORD);
             RtpEndpoint john = new RtpEndpoint("John", Pbx.JOHN_HZ);
             RtpEndpoint client = new RtpEndpoint("client", Pbx.CLIENT_HZ);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone johnPhone = pbx.answeringPhone("john", pbx.johnUser, john);
             SippPhone adamPhone = pbx.answeringPhone("adam", pbx.adamUser, adam, "uas_originated.xml",
                     "ring_ms", "300", "pause1_ms", "200", "digit1", "5");
             SippPhone clientPhone = pbx.clientCallsUntilBye("744", client)) {
            Pbx.connect(john, johnPhone);
            Pbx.connect(client, clientPhone);
            String callId = Pbx.awaitCallOf(pbx.john).callId;

            String id = join(crm, callId, pbx.adam, "SPY", null, null).then().statusCode(202).extract().jsonPath()
                    .getString("id");
            Pbx.connect(adam, adamPhone);
            awaitSession(crm, id, "ACTIVE", "SPY");

            // 5. Customer B can neither see nor join nor touch A's call and session.
            assertThat(as(b).get("/api/v1/calls").then().statusCode(200).extract().jsonPath().getList("callId"))
                    .doesNotContain(callId);
            expectProblem(as(b).get("/api/v1/calls/{id}", callId), 404, "not-found");
            expectProblem(as(b).body(Map.of("supervisorAccountId", bob, "mode", "SPY"))
                    .post("/api/v1/calls/{id}/supervisors", callId), 404, "not-found");
            expectProblem(as(b).body(Map.of("supervisorAccountId", pbx.adam, "mode", "SPY"))
                    .post("/api/v1/calls/{id}/supervisors", callId), 404, "not-found");
            expectProblem(as(b).get("/api/v1/supervision-sessions/{id}", id), 404, "not-found");
            expectProblem(as(b).body(Map.of("mode", "BARGE")).patch("/api/v1/supervision-sessions/{id}", id), 404,
                    "not-found");
            expectProblem(as(b).delete("/api/v1/supervision-sessions/{id}", id), 404, "not-found");

            patch(crm, id, "WHISPER", null).then().statusCode(200);
            patch(crm, id, "BARGE", null).then().statusCode(200);
            adam.sendDigit('0', 200);
            awaitSession(crm, id, "ACTIVE", "SPY");
            as(crm, PW).delete("/api/v1/supervision-sessions/{id}", id).then().statusCode(200);
            assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
            assertThat(kamailio.endDialog(KamailioRpc.DialogKey.anyWithCallId(callId), "test over")).isTrue();
            assertThat(clientPhone.awaitExit(Pbx.SIP_WAIT)).as(clientPhone.trace()).isZero();

            // 6. The CRM's stream saw the whole flow, in order.
            Pbx.await("call.ended on the stream", () -> stream.names().contains("call.ended") ? Boolean.TRUE : null);
            assertThat(stream.names()).containsExactly("ready", "call.started", "supervision.ringing",
                    "supervision.started", "supervision.mode-changed", "supervision.mode-changed",
                    "supervision.mode-changed", "supervision.ended", "call.ended");
            assertThat(stream.of("call.started").get(0).getString("callId")).isEqualTo(callId);
            assertThat(stream.of("call.started").get(0).getLong("agentAccountId")).isEqualTo(pbx.john);
            assertThat(stream.of("supervision.started").get(0).getString("sessionId")).isEqualTo(id);
            assertThat(stream.of("supervision.started").get(0).getString("mode")).isEqualTo("SPY");
            assertThat(stream.of("supervision.mode-changed")).extracting(e -> e.getString("mode"))
                    .containsExactly("WHISPER", "BARGE", "SPY");
            assertThat(stream.of("supervision.mode-changed")).extracting(e -> e.getString("trigger"))
                    .containsExactly("API", "API", "RFC4733");
            assertThat(stream.of("supervision.ended").get(0).getString("endReason")).isEqualTo("API");
            assertThat(stream.events).allSatisfy(e -> assertThat(e[1]).doesNotContain("client"));
            // B's stream saw nothing of A.
            assertThat(otherStream.names()).containsExactly("ready");
        }
    }
}
