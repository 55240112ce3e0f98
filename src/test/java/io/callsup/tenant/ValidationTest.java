package io.callsup.tenant;

import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.TestApi.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.callsup.testsupport.TestApi.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

/** Every refused input gets a Problem Details body naming the field and the reason, and changes nothing. */
@QuarkusTest
class ValidationTest {

    private Tenant abc;

    @BeforeEach
    void tenant() {
        abc = TestApi.newTenant("ABC", true);
    }

    private static ValidatableResponse problem(ValidatableResponse response, int status) {
        return response.statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("type", startsWith("urn:callsup:problem:"))
                .body("title", org.hamcrest.Matchers.notNullValue())
                .body("detail", org.hamcrest.Matchers.notNullValue());
    }

    private ValidatableResponse putRule(Map<String, String> custom) {
        return as(abc).body(Map.of("kind", "CUSTOM", "custom", custom)).put("/api/v1/customer/dialing-rule").then();
    }

    private static Map<String, String> rule(String spy, String whisper, String barge, String d0, String d1, String d2) {
        return Map.of("spyPrefix", spy, "whisperPrefix", whisper, "bargePrefix", barge,
                "spyDigit", d0, "whisperDigit", d1, "bargeDigit", d2);
    }

    @Test
    void ambiguousPrefixesAreRefused() {
        problem(putRule(rule("*9", "*90", "*92", "0", "1", "2")), 400)
                .body("violations.field", hasItem("custom.whisperPrefix"))
                .body("violations.message", hasItem(containsString("ambiguous")));
        problem(putRule(rule("*9", "*91", "*92", "0", "1", "2")), 400)
                .body("violations", hasSize(2));
        assertRuleUntouched();
    }

    @Test
    void duplicatePrefixesAndDigitsAreRefused() {
        problem(putRule(rule("*21", "*21", "*23", "1", "2", "3")), 400)
                .body("violations[0].field", equalTo("custom.whisperPrefix"))
                .body("violations[0].message", containsString("must differ from spyPrefix"));
        problem(putRule(rule("*21", "*22", "*23", "1", "1", "3")), 400)
                .body("violations[0].field", equalTo("custom.whisperDigit"));
        assertRuleUntouched();
    }

    @Test
    void malformedCodesAreRefused() {
        problem(putRule(rule("90", "*91", "*1234567", "0", "1", "2")), 400)
                .body("violations.field", hasItem("custom.spyPrefix"))
                .body("violations.field", hasItem("custom.bargePrefix"))
                .body("detail", containsString("starting with * or #"));
        problem(putRule(rule("*90", "*91", "*92", "0", "12", "x")), 400)
                .body("violations.field", hasItem("custom.whisperDigit"))
                .body("violations.field", hasItem("custom.bargeDigit"));
        problem(as(abc).body(Map.of("custom", rule("*21", "*22", "*23", "1", "2", "3")))
                .put("/api/v1/customer/dialing-rule").then(), 400)
                .body("violations[0].field", equalTo("kind"));
        problem(as(abc).body(Map.of("kind", "FANCY")).put("/api/v1/customer/dialing-rule").then(), 400)
                .body("violations[0].field", equalTo("kind"));
        assertRuleUntouched();
    }

    private void assertRuleUntouched() {
        as(abc).get("/api/v1/customer/dialing-rule").then().statusCode(200)
                .body("kind", equalTo("DEFAULT")).body("custom.spyPrefix", equalTo("*90"));
    }

    @Test
    void extensionsAreDigitsOnlyAndUniqueWithinTheCustomer() {
        for (String bad : new String[]{"74a", "*90744", "", "1234567890123456", "7 44"}) {
            problem(as(abc).body(Map.of("extension", bad, "displayName", "X", "sipUsername", "x", "sipPassword", "12345678"))
                    .post("/api/v1/customer/accounts").then(), 400)
                    .body("violations.field", hasItem("extension"));
        }
        TestApi.newAccount(abc, "744", "John");
        problem(as(abc).body(Map.of("extension", "744", "displayName", "Other", "sipUsername", "other", "sipPassword", "12345678"))
                .post("/api/v1/customer/accounts").then(), 409)
                .body("violations[0].field", equalTo("extension"))
                .body("detail", containsString("744 is already used"));
        // Another customer may have its own 744: extensions are unique only within a customer.
        Tenant other = TestApi.newTenant("Other", true);
        TestApi.newAccount(other, "744", "Jane");
        as(abc).get("/api/v1/customer/accounts").then().body("", hasSize(1)).body("[0].displayName", equalTo("John"));
    }

    @Test
    void accountsNeedAPasswordAndAValidSipUsername() {
        problem(as(abc).body(Map.of("extension", "100", "displayName", "X", "sipUsername", "x"))
                .post("/api/v1/customer/accounts").then(), 400)
                .body("violations[0].field", equalTo("sipPassword"));
        problem(as(abc).body(Map.of("extension", "100", "displayName", "X", "sipUsername", "bad user", "sipPassword", "short"))
                .post("/api/v1/customer/accounts").then(), 400)
                .body("violations.field", hasItem("sipUsername"))
                .body("violations.field", hasItem("sipPassword"));
        long id = TestApi.newAccount(abc, "100", "X");
        problem(as(abc).body(Map.of("extension", "100", "displayName", "X", "sipUsername", "renamed"))
                .put("/api/v1/customer/accounts/" + id).then(), 400)
                .body("violations[0].field", equalTo("sipPassword"))
                .body("detail", containsString("HA1"));
        as(abc).get("/api/v1/customer/accounts").then().body("", hasSize(1));
    }

    @Test
    void malformedAndMissingBodiesAreRefused() {
        problem(as(abc).body("{\"extension\": ").post("/api/v1/customer/accounts").then(), 400)
                .body("title", equalTo("Malformed request body"));
        problem(as(abc).post("/api/v1/customer/accounts").then(), 400);
        problem(as(abc).body(Map.of("name", "Bad", "permissions", new String[]{"LAUNCH_MISSILES"}))
                .post("/api/v1/customer/roles").then(), 400)
                .body("violations[0].field", containsString("permissions"));
        problem(as(abc).body(Map.of("extension", "744", "displayName", "X", "sipUsername", "x", "sipPassword", "12345678",
                        "supervisor", Map.of("nested", true)))
                .post("/api/v1/customer/accounts").then(), 400)
                .body("detail", containsString("supervisor"));
        as(abc).get("/api/v1/customer/accounts").then().body("", hasSize(0));
    }

    @Test
    void customerSipDomainsAreValidatedAndUnique() {
        problem(TestApi.admin().body(Map.of("name", "X", "sipDomain", "Not A Domain")).post("/api/v1/admin/customers").then(), 400)
                .body("violations[0].field", equalTo("sipDomain"));
        problem(TestApi.admin().body(Map.of("name", "X", "sipDomain", abc.sipDomain())).post("/api/v1/admin/customers").then(), 409)
                .body("violations[0].field", equalTo("sipDomain"));
        TestApi.newAccount(abc, "744", "John");
        problem(TestApi.admin().body(Map.of("name", "ABC", "sipDomain", "moved.pbx.test", "supervisionEnabled", true))
                .put("/api/v1/admin/customers/" + abc.customerId()).then(), 409)
                .body("detail", containsString("HA1"));
    }

    @Test
    void credentialsMustFitTheirRealm() {
        long role = TestApi.newRole(abc, "CRM", "CALL_CONTROL_MODIFY");
        problem(as(abc).body(Map.of("username", TestApi.unique("x"), "password", TestApi.PASSWORD, "realm", "ACCOUNT", "roleId", role))
                .post("/api/v1/customer/credentials").then(), 400)
                .body("violations[0].field", equalTo("accountId"));
        problem(as(abc).body(Map.of("username", TestApi.unique("x"), "password", TestApi.PASSWORD, "realm", "ADMINISTRATOR", "roleId", role))
                .post("/api/v1/customer/credentials").then(), 400)
                .body("violations[0].field", equalTo("realm"));
        problem(as(abc).body(Map.of("username", abc.username(), "password", TestApi.PASSWORD, "realm", "CUSTOMER", "roleId", role))
                .post("/api/v1/customer/credentials").then(), 409)
                .body("violations[0].field", equalTo("username"));
        String crm = TestApi.unique("crm");
        long credential = as(abc).body(Map.of("username", crm, "password", TestApi.PASSWORD, "realm", "CUSTOMER", "roleId", role))
                .post("/api/v1/customer/credentials").then().statusCode(201).extract().jsonPath().getLong("id");
        problem(as(abc).delete("/api/v1/customer/roles/" + role).then(), 409).body("detail", containsString("still held"));
        as(abc).delete("/api/v1/customer/credentials/" + credential).then().statusCode(204);
        as(abc).delete("/api/v1/customer/roles/" + role).then().statusCode(204);
    }

    @Test
    void everyEndpointRequiresAuthentication() {
        for (String path : new String[]{"/api/v1/admin/customers", "/api/v1/customer", "/api/v1/customer/accounts",
                "/api/v1/customer/hunt-groups", "/api/v1/customer/dialing-rule", "/api/v1/customer/roles",
                "/api/v1/customer/credentials"}) {
            problem(given().get(path).then(), 401).header("WWW-Authenticate", startsWith("Basic"));
            problem(given().auth().preemptive().basic(abc.username(), "wrong-password").get(path).then(), 401);
            problem(given().auth().preemptive().basic("nobody-" + path.hashCode(), "x").get(path).then(), 401);
        }
    }

    @Test
    void realmsAreKeptToTheirEndpoints() {
        problem(as(abc).get("/api/v1/admin/customers").then(), 403);
        problem(as(abc).body(Map.of("enabled", true)).put("/api/v1/admin/customers/" + abc.customerId() + "/supervision").then(), 403);
        long adam = TestApi.newAccount(abc, "745", "Adam");
        long role = TestApi.newRole(abc, "Self", "CALL_CONTROL_MODIFY");
        String adamUser = TestApi.unique("adam");
        as(abc).body(Map.of("username", adamUser, "password", TestApi.PASSWORD, "realm", "ACCOUNT", "roleId", role, "accountId", adam))
                .post("/api/v1/customer/credentials").then().statusCode(201);
        TestApi.as(adamUser, TestApi.PASSWORD).get("/api/v1/customer").then().statusCode(200);
        problem(TestApi.as(adamUser, TestApi.PASSWORD).get("/api/v1/customer/accounts").then(), 403);
        problem(TestApi.as(adamUser, TestApi.PASSWORD).body(Map.of("kind", "CUSTOM"))
                .put("/api/v1/customer/dialing-rule").then(), 403);
        // The operator manages customers but acts for none of them.
        problem(TestApi.admin().get("/api/v1/customer/accounts").then(), 403);
    }
}
