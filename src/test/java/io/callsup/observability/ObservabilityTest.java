package io.callsup.observability;

import static io.callsup.testsupport.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.Management;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.otel.InMemorySpans;
import io.callsup.tracing.CallsupTracer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

/**
 * What an operator watches (README, "Observability"): readiness names rtpengine and Kamailio, and
 * the domain metrics move when supervision happens, here a refused dial-in through the real
 * decision endpoint Kamailio calls.
 */
@QuarkusTest
class ObservabilityTest {

    @Inject
    InMemorySpans spans;
    @Inject
    CallsupTracer tracer;

    @Test
    void readinessReportsRtpengineAndKamailio() {
        Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("rtpengine")).body("checks.name", hasItem("Kamailio JSON-RPC"))
                .body("checks.find { it.name == 'rtpengine' }.data.startupCheck", startsWith("passed: rtpengine"))
                .body("checks.find { it.name == 'Kamailio JSON-RPC' }.status", equalTo("UP"));
        // Liveness must not depend on them: a restart does not bring rtpengine back.
        Management.given().get("/q/health/live").then().statusCode(200)
                .body("checks.name", org.hamcrest.Matchers.not(hasItem("rtpengine")));
    }

    @Test
    void aRefusedDialInCountsItsReasonAndItsDecisionTime() {
        TestApi.Tenant off = TestApi.newTenant("Metrics", false);
        String user = TestApi.unique("metrics-sup");
        as(off).body(Map.of("extension", "201", "displayName", "Sup", "sipUsername", user, "sipPassword",
                "sip-secret-pw")).post("/api/v1/customer/accounts").then().statusCode(201);
        TestApi.newAccount(off, "744", "Agent"); // exists, so the refusal is the feature's
        double denied = Management.metric("callsup_denials_total", "reason=\"feature-disabled\"", "trigger=\"code\"");
        double decided = Management.metric("callsup_join_latency_seconds_count", "path=\"dial-in\"", "outcome=\"rejected\"");

        refusedDialIn(off, user);

        assertThat(Management.metric("callsup_denials_total", "reason=\"feature-disabled\"", "trigger=\"code\""))
                .as("denials by reason").isEqualTo(denied + 1);
        assertThat(Management.metric("callsup_join_latency_seconds_count", "path=\"dial-in\"", "outcome=\"rejected\""))
                .as("decision latency samples").isEqualTo(decided + 1);
        String all = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(all).contains("callsup_sessions_active{mode=\"spy\"}", "callsup_sessions_active{mode=\"barge\"}",
                "callsup_join_latency_seconds_bucket{outcome=\"rejected\",path=\"dial-in\",le=\"0.05\"}");
    }

    /**
     * Tracing is off unless configured (README, "Observability"): the SDK is disabled, so the tracer
     * makes only invalid (no-op) spans and a dial-in through the traced steps (decision, authorise,
     * audit) exports nothing to the CDI exporter that TracingTest reads.
     */
    @Test
    void tracingIsOffByDefault() throws InterruptedException {
        assertThat(tracer.get().spanBuilder("probe").startSpan().getSpanContext().isValid()).as("a valid span").isFalse();
        TestApi.Tenant off = TestApi.newTenant("NoTrace", false);
        String user = TestApi.unique("notrace-sup");
        as(off).body(Map.of("extension", "201", "displayName", "Sup", "sipUsername", user, "sipPassword",
                "sip-secret-pw")).post("/api/v1/customer/accounts").then().statusCode(201);
        TestApi.newAccount(off, "744", "Agent"); // exists, so the dial-in reaches authorisation
        spans.reset();
        refusedDialIn(off, user);
        Thread.sleep(1_000); // ten times the batch delay TracingTest relies on
        assertThat(spans.getFinishedSpanItems()).as("spans exported with the default configuration").isEmpty();
    }

    private static void refusedDialIn(TestApi.Tenant off, String user) {
        Management.given().contentType(ContentType.JSON).header("X-Callsup-Secret", KamailioResource.EVENT_SECRET)
                .body(Map.of("callId", "obs-" + user, "fromTag", "f1", "dialled", "*90744", "domain", off.sipDomain(),
                        "authUser", user, "authDomain", off.sipDomain(), "sdp",
                        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"))
                .post("/internal/kamailio/v1/supervision-invites").then().statusCode(200)
                .body("action", equalTo("reject")).body("code", equalTo(403));
    }
}
