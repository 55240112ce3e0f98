package io.callsup.security;

import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.TestApi.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.Base64;
import java.util.Map;

import static io.callsup.testsupport.TestApi.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Cached Basic credentials, attempt limits, bearer tokens and per-customer usernames through the real API. */
@QuarkusTest
class ApiAuthenticationTest {

    static final String PW = "crm-password-123";

    @Inject
    AuthThrottle throttle;

    @Inject
    VerifiedCredentials verified;

    @BeforeEach
    @AfterEach
    void freshCounters() {
        // Every test class signs in from 127.0.0.1: leave no counters behind for the others.
        throttle.reset();
    }

    static String credential(Tenant tenant, String username, String... permissions) {
        long role = TestApi.newRole(tenant, TestApi.unique("role"), permissions);
        as(tenant).body(Map.of("username", username, "password", PW, "realm", "CUSTOMER", "roleId", role))
                .post("/api/v1/customer/credentials").then().statusCode(201);
        return username;
    }

    static void expectProblem(Response r, int status, String slug) {
        r.then().statusCode(status).contentType("application/problem+json");
        assertThat(r.jsonPath().getString("type")).isEqualTo("urn:callsup:problem:" + slug);
        assertThat(r.asString()).doesNotContain("Exception", "\tat ");
    }

    static Response withHeader(String authorization) {
        return given().header("Authorization", authorization).get("/api/v1/calls");
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The first line of the live event stream opened with a bearer token. */
    static String firstEvent(String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/api/v1/events"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + token).build();
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofLines()).get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        try (Stream<String> lines = response.body()) {
            return lines.filter(l -> l.startsWith("event:")).findFirst().orElse("").replace(" ", "");
        }
    }

    @Test
    void wrongPasswordFloodIsRefusedWith429WhileTheCachedClientCarriesOn() {
        Tenant t = TestApi.newTenant("Flood", true);
        String crm = credential(t, TestApi.unique("crm"), "CALL_CONTROL_READ");
        as(crm, PW).get("/api/v1/calls").then().statusCode(200);
        int unauthorised = 0;
        int limited = 0;
        Response lastLimited = null;
        for (int i = 0; i < 300; i++) {
            Response r = as(crm, "wrong-password-" + i).get("/api/v1/calls");
            if (r.statusCode() == 401) {
                unauthorised++;
            } else if (r.statusCode() == 429) {
                limited++;
                lastLimited = r;
            } else {
                throw new AssertionError("attempt " + i + " answered " + r.statusCode());
            }
        }
        assertThat(unauthorised).as("per-username limit of 10 per window").isEqualTo(10);
        assertThat(limited).isEqualTo(290);
        expectProblem(lastLimited, 429, "too-many-attempts");
        assertThat(Long.parseLong(lastLimited.header("Retry-After"))).isBetween(1L, 60L);
        // The right password, already verified, is still served (from the cache) ...
        as(crm, PW).get("/api/v1/calls").then().statusCode(200);
        // ... but a fresh verification of the flooded name waits: guessing has stopped paying.
        verified.dropAll();
        expectProblem(as(crm, PW).get("/api/v1/calls"), 429, "too-many-attempts");
    }

    @Test
    void madeUpUsernamesFromOneSourceHitThePerSourceLimit() {
        int limited = 0;
        for (int i = 0; i < 80; i++) {
            int status = as(TestApi.unique("nobody"), "x-password").get("/api/v1/calls").statusCode();
            assertThat(status).isIn(401, 429);
            if (status == 429) {
                limited++;
            }
        }
        assertThat(limited).as("per-source limit of 60 per window").isEqualTo(20);
        // The operator's credential was verified before? No: drop the cache, and a genuine first sign-in waits too.
        verified.dropAll();
        expectProblem(TestApi.admin().get("/api/v1/admin/customers"), 429, "too-many-attempts");
    }

    @Test
    void malformedAuthorizationIs400NamingTheField() {
        expectProblem(withHeader(basic("nul\u0000user", PW)), 400, "malformed-credentials");
        assertThat(withHeader(basic("nul\u0000user", PW)).jsonPath().getString("violations[0].field")).isEqualTo("username");
        expectProblem(withHeader(basic("user", "pass\u0000word")), 400, "malformed-credentials");
        expectProblem(withHeader("Basic !!!not-base64!!!"), 400, "malformed-credentials");
        expectProblem(withHeader("Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes())), 400,
                "malformed-credentials");
        expectProblem(withHeader("Bearer "), 400, "malformed-credentials");
        expectProblem(withHeader("Digest username=x"), 401, "unauthenticated");
        assertThat(withHeader("Digest username=x").header("WWW-Authenticate")).contains("Basic", "Bearer");
    }

    @Test
    void bearerTokensActAsTheirCredentialAndStayInTheirCustomer() throws Exception {
        Tenant a = TestApi.newTenant("TokA", true);
        Tenant b = TestApi.newTenant("TokB", true);
        String crm = credential(a, TestApi.unique("crm"), "CALL_CONTROL_MODIFY");
        long crmId = as(a).get("/api/v1/customer/credentials").jsonPath()
                .getLong("find { it.username == '" + crm + "' }.id");
        Response issued = as(a).body(Map.of("name", "CRM integration", "lifetimeDays", 30))
                .post("/api/v1/customer/credentials/{id}/tokens", crmId);
        issued.then().statusCode(201);
        String token = issued.jsonPath().getString("token");
        assertThat(token).startsWith("cst_").hasSizeGreaterThan(40);
        long tokenId = issued.jsonPath().getLong("id");

        given().auth().oauth2(token).get("/api/v1/calls").then().statusCode(200);
        assertThat(firstEvent(token)).as("the live stream takes tokens too").isEqualTo("event:ready");
        // The token's credential lacks the customer realm's admin role? It is CUSTOMER realm: it may list, but
        // it cannot mint tokens without a password.
        expectProblem(given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "again"))
                .post("/api/v1/customer/credentials/{id}/tokens", crmId), 403, "password-required");
        // Listing shows no secret.
        assertThat(as(a).get("/api/v1/customer/credentials/{id}/tokens", crmId).asString()).doesNotContain(token);

        // B cannot see, list or revoke A's tokens, and A's token sees none of B's data.
        expectProblem(as(b).get("/api/v1/customer/credentials/{id}/tokens", crmId), 404, "not-found");
        expectProblem(as(b).delete("/api/v1/customer/credentials/{id}/tokens/{t}", crmId, tokenId), 404, "not-found");
        long bAccount = TestApi.newAccount(b, "744", "Mary");
        expectProblem(given().auth().oauth2(token).get("/api/v1/customer/accounts/{id}", bAccount), 404, "not-found");
        given().auth().oauth2(token).get("/api/v1/customer/accounts").then().statusCode(200)
                .body("size()", org.hamcrest.Matchers.equalTo(0));
        given().auth().oauth2(token).get("/api/v1/calls").then().statusCode(200);

        // Revoked: refused at once on this replica.
        as(a).delete("/api/v1/customer/credentials/{id}/tokens/{t}", crmId, tokenId).then().statusCode(204);
        expectProblem(given().auth().oauth2(token).get("/api/v1/calls"), 401, "unauthenticated");
        expectProblem(given().auth().oauth2("cst_made-up-token").get("/api/v1/calls"), 401, "unauthenticated");

        // A token dies with its credential.
        String second = as(a).body(Map.of("name", "short")).post("/api/v1/customer/credentials/{id}/tokens", crmId)
                .jsonPath().getString("token");
        given().auth().oauth2(second).get("/api/v1/calls").then().statusCode(200);
        as(a).delete("/api/v1/customer/credentials/{id}", crmId).then().statusCode(204);
        expectProblem(given().auth().oauth2(second).get("/api/v1/calls"), 401, "unauthenticated");
    }

    @Test
    void aChangedPasswordOrPermissionIsNotServedFromTheCache() {
        Tenant t = TestApi.newTenant("Change", true);
        String crm = credential(t, TestApi.unique("crm"), "CALL_CONTROL_READ");
        long id = as(t).get("/api/v1/customer/credentials").jsonPath().getLong("find { it.username == '" + crm + "' }.id");
        long roleId = as(t).get("/api/v1/customer/credentials/{id}", id).jsonPath().getLong("roleId");
        as(crm, PW).get("/api/v1/calls").then().statusCode(200);
        long none = TestApi.newRole(t, TestApi.unique("none"));
        as(t).body(Map.of("realm", "CUSTOMER", "roleId", none)).put("/api/v1/customer/credentials/{id}", id)
                .then().statusCode(200);
        expectProblem(as(crm, PW).get("/api/v1/calls"), 403, "missing-permission");
        as(t).body(Map.of("realm", "CUSTOMER", "roleId", roleId, "password", "a-new-password-42"))
                .put("/api/v1/customer/credentials/{id}", id).then().statusCode(200);
        expectProblem(as(crm, PW).get("/api/v1/calls"), 401, "unauthenticated");
        as(crm, "a-new-password-42").get("/api/v1/calls").then().statusCode(200);
    }

    @Test
    void usernamesArePerCustomerAndTheAnswerNamesNoOtherCustomer() {
        Tenant a = TestApi.newTenant("NsA", true);
        Tenant b = TestApi.newTenant("NsB", true);
        String name = TestApi.unique("b-read");
        credential(b, name, "CALL_CONTROL_READ");
        long role = TestApi.newRole(a, TestApi.unique("role"), "CALL_CONTROL_READ");
        Response created = as(a).body(Map.of("username", name, "password", "another-password-9", "realm", "CUSTOMER",
                "roleId", role)).post("/api/v1/customer/credentials");
        created.then().statusCode(201);
        assertThat(created.jsonPath().getString("login")).isEqualTo(name + "@" + a.sipDomain());
        // Each signs in with its qualified name; the plain name stays with the credential that had it first.
        as(name + "@" + a.sipDomain(), "another-password-9").get("/api/v1/calls").then().statusCode(200);
        as(name + "@" + b.sipDomain(), PW).get("/api/v1/calls").then().statusCode(200);
        as(name, PW).get("/api/v1/calls").then().statusCode(200);
        expectProblem(as(name + "@" + b.sipDomain(), "another-password-9").get("/api/v1/calls"), 401,
                "unauthenticated");
        // A second one in the same customer conflicts, and the answer is about this customer only.
        Response again = as(a).body(Map.of("username", name, "password", "another-password-9", "realm", "CUSTOMER",
                "roleId", role)).post("/api/v1/customer/credentials");
        expectProblem(again, 409, "conflict");
        assertThat(again.jsonPath().getString("detail")).contains("this customer");
    }
}
