package io.callsup.testsupport;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** The service's management interface: internal Kamailio endpoints, /q/health and /q/metrics. */
public final class Management {

    private Management() {
    }

    public static int port() {
        return TestPorts.get("service-management");
    }

    /** A RestAssured request to the management port of the service under test. */
    public static RequestSpecification given() {
        return RestAssured.given().port(port());
    }
}
