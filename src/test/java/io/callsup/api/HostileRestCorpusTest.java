package io.callsup.api;

import io.callsup.security.AuthThrottle;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.TestApi.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.callsup.testsupport.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile and careless inputs to the public REST API, one per row of {@link HostileRestCorpus}: each
 * gets its exact status and problem type, no stack trace, and leaves every table as it was.
 */
@QuarkusTest
class HostileRestCorpusTest {

    static final String PW = "corpus-password-1";
    static final List<String> TABLES = List.of("customer", "account", "api_credential", "api_token", "role",
            "role_permission", "hunt_group", "hunt_group_member", "dialing_rule", "api_idempotency_key",
            "supervision_session", "supervision_mode_change");

    /** One customer with a manager, a read-only and a permission-less credential, and another customer. */
    static final class Fixture {
        Tenant a;
        Tenant b;
        long account;
        long group;
        long credential;
        long bAccount;
        String readOnly;
        String nothing;
        String token;

        Map<String, String> values() {
            Map<String, String> v = new LinkedHashMap<>();
            v.put("{account}", Long.toString(account));
            v.put("{group}", Long.toString(group));
            v.put("{credential}", Long.toString(credential));
            v.put("{bAccount}", Long.toString(bAccount));
            return v;
        }
    }

    private static Fixture fixture;

    @Inject
    EntityManager em;

    @Inject
    AuthThrottle throttle;

    static synchronized Fixture fixture() {
        if (fixture == null) {
            Fixture f = new Fixture();
            f.a = TestApi.newTenant("Corpus", true);
            f.b = TestApi.newTenant("CorpusB", true);
            f.account = TestApi.newAccount(f.a, "744", "John");
            f.group = TestApi.newHuntGroup(f.a, "Support");
            f.bAccount = TestApi.newAccount(f.b, "744", "Mary");
            long read = TestApi.newRole(f.a, "read", "CALL_CONTROL_READ");
            long none = TestApi.newRole(f.a, "none");
            f.readOnly = TestApi.unique("ro");
            f.nothing = TestApi.unique("none");
            f.credential = as(f.a).body(Map.of("username", f.readOnly, "password", PW, "realm", "CUSTOMER", "roleId", read))
                    .post("/api/v1/customer/credentials").then().statusCode(201).extract().jsonPath().getLong("id");
            as(f.a).body(Map.of("username", f.nothing, "password", PW, "realm", "CUSTOMER", "roleId", none))
                    .post("/api/v1/customer/credentials").then().statusCode(201);
            f.token = as(f.a).body(Map.of("name", "corpus")).post("/api/v1/customer/credentials/{id}/tokens", f.credential)
                    .then().statusCode(201).extract().jsonPath().getString("token");
            fixture = f;
        }
        return fixture;
    }

    static List<HostileRestCorpus.Case> cases() {
        return HostileRestCorpus.all();
    }

    Map<String, Long> counts() {
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (String table : TABLES) {
                counts.put(table, ((Number) em.createNativeQuery("SELECT count(*) FROM " + table).getSingleResult())
                        .longValue());
            }
            return counts;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answersExactlyAndChangesNothing(HostileRestCorpus.Case c) throws Exception {
        Fixture f = fixture();
        throttle.reset();
        Map<String, Long> before = counts();
        HttpRequest request = c.request(f, "http://localhost:" + RestAssured.port);
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", c.name(), response.body()).isEqualTo(c.status());
        assertThat(response.headers().firstValue("Content-Type").orElse("")).as(c.name())
                .startsWith("application/problem+json");
        JsonPath problem = new JsonPath(response.body());
        assertThat(problem.getString("type")).as("%s: %s", c.name(), response.body())
                .isEqualTo("urn:callsup:problem:" + c.slug());
        assertThat(problem.getInt("status")).isEqualTo(c.status());
        if (c.field() != null) {
            assertThat(problem.getList("violations.field", String.class)).as("%s: %s", c.name(), response.body())
                    .contains(c.field());
        }
        assertThat(response.body()).as(c.name()).doesNotContain("Exception", "\tat ", "at io.", "at org.");
        assertThat(counts()).as("%s left state behind", c.name()).isEqualTo(before);
    }
}
