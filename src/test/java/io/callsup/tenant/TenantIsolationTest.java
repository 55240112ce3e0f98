package io.callsup.tenant;

import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.TestApi.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.callsup.testsupport.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

/**
 * Customer B, holding full rights over its own data, tries every resource of customer A by id.
 * Each attempt must look exactly like asking for something that does not exist, and A's data
 * must be unchanged afterwards.
 */
@QuarkusTest
class TenantIsolationTest {

    private Tenant a;
    private Tenant b;
    private long aJohn;
    private long aAdam;
    private long aSupport;
    private long aRole;
    private long aCredential;
    private long bMary;
    private long bGroup;
    private long bRole;

    @BeforeEach
    void twoCustomers() {
        a = TestApi.newTenant("A", true);
        b = TestApi.newTenant("B", true);
        aJohn = TestApi.newAccount(a, "744", "John");
        aAdam = TestApi.newAccount(a, "745", "Adam");
        aSupport = TestApi.newHuntGroup(a, "Support");
        TestApi.putMember(a, aSupport, aJohn, false);
        TestApi.putMember(a, aSupport, aAdam, true);
        aRole = TestApi.newRole(a, "CRM", "CALL_CONTROL_MODIFY");
        aCredential = as(a).body(Map.of("username", TestApi.unique("a-crm"), "password", TestApi.PASSWORD,
                        "realm", "CUSTOMER", "roleId", aRole))
                .post("/api/v1/customer/credentials").then().statusCode(201).extract().jsonPath().getLong("id");
        bMary = TestApi.newAccount(b, "744", "Mary");
        bGroup = TestApi.newHuntGroup(b, "Sales");
        bRole = TestApi.newRole(b, "CRM", "CALL_CONTROL_MODIFY");
    }

    /** B's answer about A's object must equal B's answer about an id that exists nowhere. */
    private void assertLooksMissing(Response aboutA, Response aboutNothing, String idOfA, String idOfNothing) {
        assertThat(aboutA.statusCode()).isEqualTo(404);
        assertThat(aboutNothing.statusCode()).isEqualTo(404);
        assertThat(aboutA.contentType()).isEqualTo("application/problem+json");
        assertThat(aboutA.jsonPath().getString("detail").replace(idOfA, "ID"))
                .isEqualTo(aboutNothing.jsonPath().getString("detail").replace(idOfNothing, "ID"));
    }

    private static final long NOWHERE = 987654321L;

    @Test
    void accountsOfAnotherCustomerCannotBeSeenOrTouched() {
        as(b).get("/api/v1/customer/accounts").then().statusCode(200).body("", hasSize(1))
                .body("[0].displayName", equalTo("Mary"));
        assertLooksMissing(as(b).get("/api/v1/customer/accounts/" + aJohn),
                as(b).get("/api/v1/customer/accounts/" + NOWHERE), "" + aJohn, "" + NOWHERE);
        Map<String, String> takeover = Map.of("extension", "999", "displayName", "Hacked", "sipUsername", "hacked",
                "sipPassword", "hacked-password");
        assertLooksMissing(as(b).body(takeover).put("/api/v1/customer/accounts/" + aJohn),
                as(b).body(takeover).put("/api/v1/customer/accounts/" + NOWHERE), "" + aJohn, "" + NOWHERE);
        as(b).delete("/api/v1/customer/accounts/" + aJohn).then().statusCode(404);
        as(a).get("/api/v1/customer/accounts/" + aJohn).then().statusCode(200)
                .body("extension", equalTo("744")).body("displayName", equalTo("John"));
    }

    @Test
    void huntGroupsAndMembershipsOfAnotherCustomerCannotBeSeenOrTouched() {
        as(b).get("/api/v1/customer/hunt-groups").then().body("", hasSize(1)).body("[0].name", equalTo("Sales"));
        assertLooksMissing(as(b).get("/api/v1/customer/hunt-groups/" + aSupport),
                as(b).get("/api/v1/customer/hunt-groups/" + NOWHERE), "" + aSupport, "" + NOWHERE);
        as(b).get("/api/v1/customer/hunt-groups/" + aSupport + "/members").then().statusCode(404);
        as(b).body(Map.of("name", "Pwned")).put("/api/v1/customer/hunt-groups/" + aSupport).then().statusCode(404);
        as(b).delete("/api/v1/customer/hunt-groups/" + aSupport).then().statusCode(404);
        // B may not give itself supervision over A's group, nor pull A's account into its own group.
        as(b).body(Map.of("supervisionAllowed", true))
                .put("/api/v1/customer/hunt-groups/" + aSupport + "/members/" + bMary).then().statusCode(404);
        assertLooksMissing(as(b).body(Map.of("supervisionAllowed", true))
                        .put("/api/v1/customer/hunt-groups/" + bGroup + "/members/" + aJohn),
                as(b).body(Map.of("supervisionAllowed", true))
                        .put("/api/v1/customer/hunt-groups/" + bGroup + "/members/" + NOWHERE), "" + aJohn, "" + NOWHERE);
        as(b).delete("/api/v1/customer/hunt-groups/" + aSupport + "/members/" + aAdam).then().statusCode(404);

        as(a).get("/api/v1/customer/hunt-groups/" + aSupport).then().statusCode(200)
                .body("name", equalTo("Support")).body("members", hasSize(2))
                .body("members.find { it.accountId == " + aAdam + " }.supervisionAllowed", equalTo(true));
        as(b).get("/api/v1/customer/hunt-groups/" + bGroup + "/members").then().body("", hasSize(0));
    }

    @Test
    void rolesAndCredentialsOfAnotherCustomerCannotBeSeenOrUsed() {
        as(b).get("/api/v1/customer/roles").then().body("name", equalTo(List.of("CRM", "Full call control")));
        assertLooksMissing(as(b).get("/api/v1/customer/roles/" + aRole),
                as(b).get("/api/v1/customer/roles/" + NOWHERE), "" + aRole, "" + NOWHERE);
        as(b).body(Map.of("name", "x", "permissions", List.of())).put("/api/v1/customer/roles/" + aRole).then().statusCode(404);
        as(b).delete("/api/v1/customer/roles/" + aRole).then().statusCode(404);

        assertThat(as(b).get("/api/v1/customer/credentials").jsonPath().getList("id", Long.class)).doesNotContain(aCredential);
        as(b).get("/api/v1/customer/credentials/" + aCredential).then().statusCode(404);
        as(b).body(Map.of("password", "new-password-123", "realm", "CUSTOMER", "roleId", bRole))
                .put("/api/v1/customer/credentials/" + aCredential).then().statusCode(404);
        as(b).delete("/api/v1/customer/credentials/" + aCredential).then().statusCode(404);

        // B cannot mint a credential that holds A's role or acts as A's account.
        as(b).body(Map.of("username", TestApi.unique("b"), "password", TestApi.PASSWORD, "realm", "CUSTOMER", "roleId", aRole))
                .post("/api/v1/customer/credentials").then().statusCode(404);
        as(b).body(Map.of("username", TestApi.unique("b"), "password", TestApi.PASSWORD, "realm", "ACCOUNT",
                        "roleId", bRole, "accountId", aAdam))
                .post("/api/v1/customer/credentials").then().statusCode(404);

        as(a).get("/api/v1/customer/roles/" + aRole).then().statusCode(200).body("name", equalTo("CRM"));
        as(a).get("/api/v1/customer/credentials/" + aCredential).then().statusCode(200).body("roleId", equalTo((int) aRole));
    }

    @Test
    void dialingRulesAndProfilesArePerCustomer() {
        Map<String, String> legacy = Map.of("spyPrefix", "*21", "whisperPrefix", "*22", "bargePrefix", "*23",
                "spyDigit", "1", "whisperDigit", "2", "bargeDigit", "3");
        as(b).body(Map.of("kind", "CUSTOM", "custom", legacy)).put("/api/v1/customer/dialing-rule").then().statusCode(200);
        as(a).get("/api/v1/customer/dialing-rule").then().body("kind", equalTo("DEFAULT")).body("custom.spyPrefix", equalTo("*90"));
        as(b).get("/api/v1/customer").then().body("id", equalTo((int) b.customerId())).body("sipDomain", equalTo(b.sipDomain()));
    }

    @Test
    void anotherCustomersCredentialSeesOnlyItsOwnCustomer() {
        // A fresh credential of A sees A's data only; B's full-rights credential sees nothing of A.
        as(a).get("/api/v1/customer/accounts").then().body("", hasSize(2));
        assertThat(as(b).get("/api/v1/customer/accounts").jsonPath().getList("id", Long.class))
                .doesNotContain(aJohn, aAdam);
        assertThat(as(b).get("/api/v1/customer/hunt-groups").jsonPath().getList("id", Long.class))
                .doesNotContain(aSupport);
    }
}
