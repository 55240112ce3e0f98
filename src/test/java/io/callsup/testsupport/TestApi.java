package io.callsup.testsupport;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Builds tenants through the public API, as an operator and a customer would. */
public final class TestApi {

    public static final String ADMIN_USER = "operator";
    /** The bootstrap operator's password: the test profile's, or a deployment's (bin/test-kube generates one). */
    public static final String ADMIN_PASSWORD = System.getProperty("callsup.test.admin-password", "operator-secret-1");
    public static final String PASSWORD = "correct-horse-battery";

    private TestApi() {
    }

    public static RequestSpecification admin() {
        return as(ADMIN_USER, ADMIN_PASSWORD);
    }

    public static RequestSpecification as(String username, String password) {
        return given().auth().preemptive().basic(username, password).contentType(ContentType.JSON);
    }

    public static RequestSpecification as(Tenant tenant) {
        return as(tenant.username(), PASSWORD);
    }

    public static String unique(String stem) {
        return stem + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A customer with a customer-realm credential holding full call control. */
    public record Tenant(long customerId, String sipDomain, String username) {
    }

    public static Tenant newTenant(String name, boolean supervisionEnabled) {
        String domain = unique(name).toLowerCase() + ".pbx.test";
        long id = admin().body(Map.of("name", name, "sipDomain", domain, "supervisionEnabled", supervisionEnabled))
                .post("/api/v1/admin/customers").then().statusCode(201).extract().jsonPath().getLong("id");
        String username = unique(name + "-manager");
        admin().body(Map.of("username", username, "password", PASSWORD))
                .post("/api/v1/admin/customers/" + id + "/credentials").then().statusCode(201);
        return new Tenant(id, domain, username);
    }

    public static long newAccount(Tenant tenant, String extension, String displayName) {
        return as(tenant).body(Map.of("extension", extension, "displayName", displayName,
                        "sipUsername", unique(displayName.toLowerCase().replace(' ', '.')), "sipPassword", "sip-secret-" + extension))
                .post("/api/v1/customer/accounts").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    public static long newHuntGroup(Tenant tenant, String name) {
        return as(tenant).body(Map.of("name", name))
                .post("/api/v1/customer/hunt-groups").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    public static void putMember(Tenant tenant, long groupId, long accountId, boolean supervisionAllowed) {
        as(tenant).body(Map.of("supervisionAllowed", supervisionAllowed))
                .put("/api/v1/customer/hunt-groups/" + groupId + "/members/" + accountId).then().statusCode(200);
    }

    public static long newRole(Tenant tenant, String name, String... permissions) {
        return as(tenant).body(Map.of("name", name, "permissions", permissions))
                .post("/api/v1/customer/roles").then().statusCode(201).extract().jsonPath().getLong("id");
    }
}
