package io.callsup.kamailio;

import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.Management;
import io.callsup.testsupport.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.callsup.testsupport.TestApi.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

/**
 * The service's side of a busy-lamp SUBSCRIBE (POST blf-subscriptions), without SIP: the secret, the
 * body's constraints, and the service's own refusal of another customer's account even when the
 * request (as if Kamailio's domain check had been bypassed) names it.
 */
@QuarkusTest
class BlfSubscriptionEndpointTest {

    private static final String PATH = "/internal/kamailio/v1/blf-subscriptions";

    private static ValidatableResponse post(String secret, Object body) {
        var request = Management.given().contentType(ContentType.JSON).body(body);
        if (secret != null) {
            request.header("X-Callsup-Secret", secret);
        }
        return request.post(PATH).then();
    }

    private static Map<String, Object> subscription(String authUser, String authDomain, String watched, String domain) {
        return Map.of("callId", "blf-" + TestApi.unique("c"), "authUser", authUser, "authDomain", authDomain,
                "watched", watched, "domain", domain, "refresh", false);
    }

    private static long account(TestApi.Tenant t, String extension, String sipUser) {
        return as(t).body(Map.of("extension", extension, "displayName", extension, "sipUsername", sipUser,
                        "sipPassword", "sip-secret-pw"))
                .post("/api/v1/customer/accounts").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    @Test
    void theSecretComesFirstThenTheBody() {
        post(null, subscription("u", "d", "744", "d")).statusCode(401).contentType("application/problem+json");
        post("not-the-secret", subscription("u", "d", "744", "d")).statusCode(401);
        post(KamailioResource.EVENT_SECRET, Map.of("callId", "c")).statusCode(400)
                .body("violations.field", hasItem("watched"))
                .body("violations.field", hasItem("authUser"));
    }

    @Test
    void anAllowedWatcherGetsTheAccountsSipUsernameByExtensionOrUsername() {
        TestApi.Tenant abc = TestApi.newTenant("ABC", true);
        String johnUser = TestApi.unique("john");
        String adamUser = TestApi.unique("adam");
        long john = account(abc, "744", johnUser);
        long adam = account(abc, "745", adamUser);
        long support = TestApi.newHuntGroup(abc, "Support");
        TestApi.putMember(abc, support, john, false);
        TestApi.putMember(abc, support, adam, true);

        for (String watched : new String[]{"744", johnUser}) {
            post(KamailioResource.EVENT_SECRET, subscription(adamUser, abc.sipDomain(), watched, abc.sipDomain()))
                    .statusCode(200).body("action", equalTo("accept")).body("presentity", equalTo(johnUser))
                    .body("code", nullValue());
        }
        // Upper-case domains are the same customer (Kamailio lowers them; the service does not rely on it).
        post(KamailioResource.EVENT_SECRET, subscription(adamUser, abc.sipDomain().toUpperCase(), "744",
                abc.sipDomain().toUpperCase())).statusCode(200).body("action", equalTo("accept"));
        post(KamailioResource.EVENT_SECRET, subscription(johnUser, abc.sipDomain(), "745", abc.sipDomain()))
                .statusCode(200).body("action", equalTo("reject")).body("code", equalTo(403))
                .body("reason", equalTo("Supervision Not Allowed")).body("presentity", nullValue());
        post(KamailioResource.EVENT_SECRET, subscription("nobody-" + adamUser, abc.sipDomain(), "744",
                abc.sipDomain())).statusCode(200).body("code", equalTo(403))
                .body("reason", equalTo("Caller Not Provisioned"));
    }

    @Test
    void anotherCustomersAccountIsRefusedByTheServiceItself() {
        TestApi.Tenant abc = TestApi.newTenant("ABC", true);
        TestApi.Tenant xyz = TestApi.newTenant("XYZ", true);
        String adamUser = TestApi.unique("adam");
        account(abc, "745", adamUser);
        String otherJohn = TestApi.unique("john");
        account(xyz, "744", otherJohn);
        for (String watched : new String[]{"744", otherJohn}) {
            post(KamailioResource.EVENT_SECRET, subscription(adamUser, abc.sipDomain(), watched, xyz.sipDomain()))
                    .statusCode(200).body("action", equalTo("reject")).body("code", equalTo(403))
                    .body("reason", equalTo("Forbidden - other domain")).body("presentity", nullValue());
        }
        // Inside its own domain the other customer's username names nobody.
        post(KamailioResource.EVENT_SECRET, subscription(adamUser, abc.sipDomain(), otherJohn, abc.sipDomain()))
                .statusCode(200).body("action", equalTo("reject")).body("code", equalTo(404));
    }
}
