package io.callsup.kamailio;

import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.Management;
import io.callsup.testsupport.TestApi;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile inputs for the service's internal port (the management interface) and for the public
 * port's view of it. Each case states the exact answer; afterwards no row of any table that an
 * internal endpoint writes has changed, and no log line carries either secret.
 */
@QuarkusTest
class InternalPortCorpusTest {

    private static final String BASE = "/internal/kamailio/v1/";
    private static final String PROBLEM = "application/problem+json";
    private static final String END = "{\"event\":\"end\",\"callId\":\"corpus-never-seen\"}";
    private static final String INVITE = "{\"callId\":\"corpus-c1\",\"fromTag\":\"f\",\"dialled\":\"*90744\","
            + "\"domain\":\"nobody.test\",\"authUser\":\"ghost\",\"authDomain\":\"nobody.test\",\"sdp\":\"v=0\"}";

    /** One hostile request and the answer it must get: status, problem type slug (null: no body check). */
    record Case(String name, RequestSpecification request, String method, String path, int status, String slug) {
    }

    private static RequestSpecification internal(String secret) {
        RequestSpecification r = Management.given().contentType("application/json");
        return secret == null ? r : r.header("X-Callsup-Secret", secret);
    }

    private static RequestSpecification publicPort(String secret) {
        RequestSpecification r = RestAssured.given().contentType("application/json");
        return secret == null ? r : r.header("X-Callsup-Secret", secret);
    }

    private static List<Case> corpus() {
        String ev = KamailioResource.EVENT_SECRET;
        List<Case> c = new ArrayList<>();
        // Wrong port: the public port knows nothing under /internal, with or without the secret.
        for (String p : new String[] {"dialog-events", "supervisor-events", "supervision-invites",
                "supervision-invites/outcome"}) {
            c.add(new Case("public " + p, publicPort(ev).body(END), "POST", BASE + p, 404, "not-found"));
        }
        c.add(new Case("public /internal", publicPort(null), "GET", "/internal", 404, "not-found"));
        c.add(new Case("public traversal", publicPort(ev).body(END), "POST",
                "/api/../internal/kamailio/v1/dialog-events", 404, "not-found"));
        // No, wrong, or the other direction's secret.
        c.add(new Case("no secret", internal(null).body(END), "POST", BASE + "dialog-events", 401, "unauthenticated"));
        c.add(new Case("wrong secret", internal("x".repeat(40)).body(END), "POST", BASE + "dialog-events", 401,
                "unauthenticated"));
        c.add(new Case("rpc secret", internal(KamailioResource.RPC_SECRET).body(END), "POST", BASE + "dialog-events",
                401, "unauthenticated"));
        c.add(new Case("secret prefix", internal(ev.substring(0, ev.length() - 1)).body(END), "POST",
                BASE + "dialog-events", 401, "unauthenticated"));
        c.add(new Case("secret upper case", internal(ev.toUpperCase()).body(END), "POST", BASE + "dialog-events", 401,
                "unauthenticated"));
        c.add(new Case("empty secret", internal("").body(END), "POST", BASE + "dialog-events", 401, "unauthenticated"));
        c.add(new Case("no secret, unknown path", internal(null).body(END), "POST", BASE + "nope", 401,
                "unauthenticated"));
        c.add(new Case("no secret, traversal", internal(null).body(END), "POST",
                BASE + "../v1/dialog-events", 401, "unauthenticated"));
        // Right secret, wrong request.
        c.add(new Case("unknown endpoint", internal(ev).body(END), "POST", BASE + "nope", 404, "not-found"));
        c.add(new Case("other version", internal(ev).body(END), "POST", "/internal/kamailio/v2/dialog-events", 404,
                "not-found"));
        c.add(new Case("GET", internal(ev), "GET", BASE + "dialog-events", 405, "method-not-allowed"));
        c.add(new Case("PUT", internal(ev).body(END), "PUT", BASE + "supervision-invites", 405, "method-not-allowed"));
        c.add(new Case("DELETE", internal(ev), "DELETE", BASE + "supervisor-events", 405, "method-not-allowed"));
        c.add(new Case("text/plain", Management.given().header("X-Callsup-Secret", ev).contentType("text/plain")
                .body(END), "POST", BASE + "dialog-events", 415, "unsupported-media-type"));
        c.add(new Case("form", Management.given().header("X-Callsup-Secret", ev)
                .contentType("application/x-www-form-urlencoded").body("event=end&callId=x"), "POST",
                BASE + "dialog-events", 415, "unsupported-media-type"));
        c.add(new Case("malformed JSON", internal(ev).body("{\"event\": "), "POST", BASE + "dialog-events", 400,
                "malformed-body"));
        c.add(new Case("empty body", internal(ev).body(""), "POST", BASE + "dialog-events", 400, "malformed-body"));
        c.add(new Case("JSON null", internal(ev).body("null"), "POST", BASE + "dialog-events", 400, "validation"));
        c.add(new Case("JSON array", internal(ev).body("[" + END + "]"), "POST", BASE + "dialog-events", 400,
                "malformed-body"));
        c.add(new Case("duplicate key", internal(ev).body("{\"event\":\"start\",\"event\":\"end\",\"callId\":\"x\"}"),
                "POST", BASE + "dialog-events", 400, "malformed-body"));
        c.add(new Case("unknown field", internal(ev).body("{\"event\":\"end\",\"callId\":\"x\",\"admin\":true}"),
                "POST", BASE + "dialog-events", 400, "malformed-body"));
        c.add(new Case("unknown event kind", internal(ev).body("{\"event\":\"transfer\",\"callId\":\"x\"}"), "POST",
                BASE + "dialog-events", 400, "validation"));
        c.add(new Case("unknown supervisor event", internal(ev).body("{\"event\":\"barge\",\"callId\":\"x\"}"),
                "POST", BASE + "supervisor-events", 400, "validation"));
        c.add(new Case("digit out of range", internal(ev).body("{\"event\":\"dtmf\",\"callId\":\"x\",\"digit\":\"A\"}"),
                "POST", BASE + "supervisor-events", 400, "validation"));
        c.add(new Case("call-id too long", internal(ev).body("{\"event\":\"end\",\"callId\":\"" + "c".repeat(256)
                + "\"}"), "POST", BASE + "dialog-events", 400, "validation"));
        c.add(new Case("SDP over 16 KiB", internal(ev).body(INVITE.replace("v=0", "v".repeat(16_385))), "POST",
                BASE + "supervision-invites", 400, "validation"));
        c.add(new Case("oversize body", internal(ev).body("{\"event\":\"end\",\"callId\":\"x\",\"pad\":\""
                + "p".repeat(70_000) + "\"}"), "POST", BASE + "dialog-events", 413, "payload-too-large"));
        c.add(new Case("unknown outcome", internal(ev).body("{\"callId\":\"x\",\"fromTag\":\"f\",\"outcome\":\"won\"}"),
                "POST", BASE + "supervision-invites/outcome", 400, "validation"));
        // Right secret, well-formed, but about nothing we know: accepted, and nothing changes.
        c.add(new Case("forged end", internal(ev).body(END), "POST", BASE + "dialog-events", 204, null));
        c.add(new Case("forged supervisor bye", internal(ev).body("{\"event\":\"bye\",\"callId\":\"callsup-forged@x\"}"),
                "POST", BASE + "supervisor-events", 204, null));
        c.add(new Case("forged digit", internal(ev).body("{\"event\":\"dtmf\",\"callId\":\"callsup-forged@x\","
                + "\"digit\":\"3\"}"), "POST", BASE + "supervisor-events", 204, null));
        c.add(new Case("forged outcome", internal(ev).body("{\"callId\":\"forged\",\"fromTag\":\"f\","
                + "\"outcome\":\"answered\"}"), "POST", BASE + "supervision-invites/outcome", 204, null));
        return c;
    }

    private static Map<String, Long> rows() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : new String[] {"active_call", "supervision_session", "supervision_mode_change", "audit_outbox"}) {
            counts.put(table, QuarkusTransaction.requiringNew().call(() -> ((Number) Panache.getEntityManager()
                    .createNativeQuery("select count(*) from " + table).getSingleResult()).longValue()));
        }
        return counts;
    }

    /** Every log record of the service while the corpus runs. */
    static final class Capture extends Handler {
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord r) {
            lines.add(r.getMessage() + " " + java.util.Arrays.toString(r.getParameters())
                    + (r.getThrown() == null ? "" : " " + r.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void everyHostileRequestGetsItsExactAnswerAndChangesNothing() throws InterruptedException {
        List<Case> corpus = corpus();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(30);
        Map<String, Long> before = rows();
        Capture capture = new Capture();
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try {
            for (Case c : corpus) {
                Response r = c.request().request(c.method(), c.path());
                assertThat(r.statusCode()).as(c.name() + ": " + r.asString()).isEqualTo(c.status());
                if (c.slug() != null) {
                    assertThat(r.contentType()).as(c.name()).startsWith(PROBLEM);
                    assertThat(r.jsonPath().getString("type")).as(c.name()).isEqualTo("urn:callsup:problem:" + c.slug());
                    assertThat(r.jsonPath().getInt("status")).as(c.name()).isEqualTo(c.status());
                }
                if (c.status() == 405) {
                    assertThat(r.header("Allow")).as(c.name()).isEqualTo("POST");
                }
            }
            Thread.sleep(500); // the end and bye events are handled off the request thread
        } finally {
            root.removeHandler(capture);
        }
        assertThat(rows()).as("rows of every table the internal endpoints write").isEqualTo(before);
        assertThat(capture.lines).as("log lines while the corpus ran")
                .noneMatch(l -> l.contains(KamailioResource.EVENT_SECRET) || l.contains(KamailioResource.RPC_SECRET));
    }

    @Test
    void thePublicOpenApiListsNoInternalPath() {
        String doc = RestAssured.given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .extract().asString();
        assertThat(doc).doesNotContain("/internal").doesNotContain("Internal: Kamailio").contains("/api/v1/");
    }

    /**
     * Tenant isolation on the management port: it carries nothing about any customer. Health and
     * metrics name no customer, domain or account, and nothing on it can be read with GET under
     * /internal (Kamailio only posts events and gets a decision about its own request).
     */
    @Test
    void theManagementPortCarriesNoCustomerData() {
        TestApi.Tenant t = TestApi.newTenant("MgmtIsolation", true);
        TestApi.newAccount(t, "377", "Zebulon Quixote");
        for (String path : new String[] {"/q/health", "/q/health/ready", "/q/metrics"}) {
            String body = Management.given().get(path).then().extract().asString();
            assertThat(body).as(path).doesNotContain(t.sipDomain()).doesNotContain("MgmtIsolation")
                    .doesNotContain("Zebulon");
        }
        for (String p : new String[] {"dialog-events", "supervisor-events", "supervision-invites",
                "supervision-invites/outcome"}) {
            internal(KamailioResource.EVENT_SECRET).get(BASE + p).then().statusCode(405);
        }
        // A decision about someone else's code names nobody: a caller Kamailio did not authenticate
        // as a provisioned account gets the same refusal whatever the target's customer.
        internal(KamailioResource.EVENT_SECRET).body(INVITE.replace("nobody.test", t.sipDomain())
                        .replace("ghost", "not-an-account"))
                .post(BASE + "supervision-invites").then().statusCode(200)
                .body("action", org.hamcrest.Matchers.equalTo("reject"))
                .body("sdp", org.hamcrest.Matchers.nullValue());
    }
}
