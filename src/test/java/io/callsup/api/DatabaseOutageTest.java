package io.callsup.api;

import io.callsup.testsupport.PostgresOutage;
import io.callsup.testsupport.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.callsup.testsupport.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;

/** PostgreSQL refusing the service (sessions cut, connections refused): the API answers 503 with Retry-After, never 500, and recovers when it is back. */
@QuarkusTest
class DatabaseOutageTest {

    static void expectUnavailable(Response r) {
        r.then().statusCode(503).contentType("application/problem+json");
        assertThat(r.jsonPath().getString("type")).isEqualTo("urn:callsup:problem:dependency-unavailable");
        assertThat(r.header("Retry-After")).isNotBlank();
        assertThat(r.asString()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void postgresDownIs503AndTheApiRecovers() throws Exception {
        TestApi.Tenant tenant = TestApi.newTenant("Outage", true);
        long role = TestApi.newRole(tenant, "crm", "CALL_CONTROL_READ");
        String fresh = TestApi.unique("fresh");
        as(tenant).body(Map.of("username", fresh, "password", "fresh-password-1", "realm", "CUSTOMER", "roleId", role))
                .post("/api/v1/customer/credentials").then().statusCode(201);
        as(tenant).get("/api/v1/calls").then().statusCode(200);
        var config = ConfigProvider.getConfig();
        try (PostgresOutage outage = PostgresOutage.start(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class))) {
            // Cached credential, the resource needs the database.
            expectUnavailable(as(tenant).get("/api/v1/calls"));
            expectUnavailable(as(tenant).get("/api/v1/customer/accounts"));
            expectUnavailable(as(tenant).body(Map.of("name", "Sales")).post("/api/v1/customer/hunt-groups"));
            // Not yet verified: authentication itself needs the database.
            expectUnavailable(as(fresh, "fresh-password-1").get("/api/v1/calls"));
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        int status = 0;
        while (System.nanoTime() < deadline && status != 200) {
            status = as(fresh, "fresh-password-1").get("/api/v1/calls").statusCode();
            assertThat(status).isIn(200, 503);
            if (status != 200) {
                Thread.sleep(500);
            }
        }
        assertThat(status).as("the API works again once PostgreSQL is back").isEqualTo(200);
        as(tenant).get("/api/v1/customer/accounts").then().statusCode(200);
    }
}
