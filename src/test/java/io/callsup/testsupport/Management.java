package io.callsup.testsupport;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** The sample of {@code name} whose labels contain every one of {@code labels}; 0 when absent. */
    public static double metric(String name, String... labels) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        // With tracing on, Prometheus exemplars ("# {trace_id=...}") may follow the value.
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)(?: #.*)?$").matcher(text);
        while (m.find()) {
            String l = m.group(1);
            boolean all = true;
            for (String want : labels) {
                all &= l.contains(want);
            }
            if (all) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }
}
