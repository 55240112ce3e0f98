package io.callsup.e2e;

import io.callsup.testsupport.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.callsup.e2e.CallControlApiTest.PW;
import static io.callsup.e2e.CallControlApiTest.credential;
import static io.callsup.e2e.CallControlApiTest.expectProblem;
import static io.callsup.testsupport.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's sign-in (issue 14): the password once for a bearer token of the same credential,
 * which is then exactly as strict as any API token, and the caller's view that decides which join
 * buttons the page shows. The page itself is tested in {@link ConsoleBrowserTest}.
 */
@QuarkusTest
class ConsoleSignInTest {

    static Response signIn(String user, String password) {
        return RestAssured.given().auth().preemptive().basic(user, password).post("/api/v1/console/sign-in");
    }

    static io.restassured.specification.RequestSpecification bearer(String token) {
        return RestAssured.given().header("Authorization", "Bearer " + token);
    }

    @Test
    void signInTradesThePasswordForAConsoleTokenThatSignOutRevokes() {
        Pbx pbx = new Pbx(true);
        String crm = credential(pbx, "CUSTOMER", null, "CALL_CONTROL_MODIFY");
        JsonPath signed = signIn(crm, PW).then().statusCode(201).extract().jsonPath();
        String token = signed.getString("token");
        assertThat(token).startsWith("cst_");
        assertThat(signed.getString("me.realm")).isEqualTo("CUSTOMER");
        assertThat(signed.getBoolean("me.canModify")).isTrue();
        assertThat(signed.getList("me.huntGroups.name")).containsExactly("Support");
        assertThat(signed.getList("me.huntGroups.supervisionAllowed")).containsExactly(true);
        assertThat(signed.getList("me.supervisors.extension")).containsExactly("744", "745");

        bearer(token).get("/api/v1/calls").then().statusCode(200);
        assertThat(bearer(token).get("/api/v1/console/me").then().statusCode(200).extract().jsonPath()
                .getString("username")).isEqualTo(crm);
        // A token cannot mint tokens; a wrong password is a plain 401.
        expectProblem(bearer(token).post("/api/v1/console/sign-in"), 403, "password-required");
        signIn(crm, "wrong-password-123").then().statusCode(401);
        // Another customer's console token sees nothing of this one.
        TestApi.Tenant b = TestApi.newTenant("B", true);
        String otherToken = signIn(b.username(), TestApi.PASSWORD).then().statusCode(201).extract().path("token");
        assertThat(bearer(otherToken).get("/api/v1/console/me").then().statusCode(200).extract().jsonPath()
                .getList("huntGroups")).isEmpty();

        bearer(token).post("/api/v1/console/sign-out").then().statusCode(204);
        bearer(token).get("/api/v1/calls").then().statusCode(401);
        bearer(otherToken).get("/api/v1/calls").then().statusCode(200);
        // The password itself still works: signing out ends the console session, not the credential.
        as(crm, PW).get("/api/v1/calls").then().statusCode(200);
    }

    @Test
    void theAccountRealmSeesOnlyItsOwnPhoneAndItsOwnFlags() {
        Pbx pbx = new Pbx(true);
        String mary = TestApi.unique("mary");
        long maryId = pbx.account("746", "Mary", mary);
        TestApi.putMember(pbx.abc, pbx.support, maryId, false);
        JsonPath maryMe = signIn(credential(pbx, "ACCOUNT", maryId, "CALL_CONTROL_MODIFY"), PW).then().statusCode(201)
                .extract().jsonPath().setRootPath("me");
        assertThat(maryMe.getString("realm")).isEqualTo("ACCOUNT");
        assertThat(maryMe.getList("supervisors.extension")).containsExactly("746");
        assertThat(maryMe.getList("huntGroups.supervisionAllowed")).containsExactly(false);

        JsonPath adamMe = signIn(credential(pbx, "ACCOUNT", pbx.adam, "CALL_CONTROL_READ"), PW).then()
                .statusCode(201).extract().jsonPath().setRootPath("me");
        assertThat(adamMe.getList("huntGroups.supervisionAllowed")).containsExactly(true);
        assertThat(adamMe.getBoolean("canModify")).isFalse();
        assertThat(adamMe.getBoolean("canRead")).isTrue();

        // A role without call-control permissions gets no console session.
        expectProblem(signIn(credential(pbx, "CUSTOMER", null), PW), 403, "missing-permission");
    }
}
