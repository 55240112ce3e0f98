package io.callsup;

import io.callsup.testsupport.Management;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

/** The service is wired to real PostgreSQL and a real Artemis broker, and documents its API. */
@QuarkusTest
class PlatformTest {

    @Test
    void readinessReportsDatabaseAndBroker() {
        Management.given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Artemis")))
                .body("checks.name", hasItem(containsString("Database")));
    }

    @Test
    void openApiDocumentsTheVersionedApi() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/v1/admin/customers'", notNullValue())
                .body("paths.'/api/v1/customer/dialing-rule'", notNullValue())
                .body("paths.'/api/v1/customer/hunt-groups/{id}/members/{accountId}'", notNullValue());
    }

    @Test
    void metricsAreExposedForPrometheus() {
        Management.given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }
}
