package io.callsup.kamailio;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.sip.SippPhone.vars;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two-phase dial-in, Kamailio's half: after every decision that was not a reject, Kamailio POSTs
 * what became of the INVITE to {@code /internal/kamailio/v1/supervision-invites/outcome}. A separate
 * Kamailio (real config, the test database for digest auth) talks to an in-test HTTP stub instead of
 * the service, so the stub can be slow or odd on purpose:
 * <ul>
 *     <li>accept -> 200 to the phone, outcome "answered";</li>
 *     <li>accept after 500 ms, phone CANCELs meanwhile -> 487, outcome "cancelled";</li>
 *     <li>no answer within Kamailio's 2 s -> 503, outcome "failed" (the service may decide late);</li>
 *     <li>accept without a usable SDP -> 503, outcome "failed";</li>
 *     <li>reject -> the reject's code, and no outcome.</li>
 * </ul>
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SupervisionOutcomeTest {

    private static final String SIP_PASSWORD = "sip-secret-pw";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String PATH = "/internal/kamailio/v1/";
    private static final String SDP = "v=0\r\no=callsup 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
            + "t=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=sendrecv\r\n";

    record Post(String path, JsonObject body, String secret, String contentType, long atNanos) {
    }

    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private ExecutorService pool;
    private HttpServer stub;
    private KamailioResource.Instance kamailio;
    private TestApi.Tenant abc;
    private String adamUser;

    @BeforeAll
    void start() throws IOException {
        pool = Executors.newCachedThreadPool();
        stub = HttpServer.create(new InetSocketAddress(KamailioResource.HOST, 0), 50);
        // Several threads: the outcome of a timed-out decision arrives while that decision still sleeps.
        stub.setExecutor(pool);
        stub.createContext("/", this::handle);
        stub.start();
        kamailio = KamailioResource.startSeparate("outcome",
                "http://" + KamailioResource.HOST + ":" + stub.getAddress().getPort());
    }

    // Not in @BeforeAll: RestAssured points at the service only once a test runs.
    @BeforeEach
    void account() {
        if (abc != null) {
            return;
        }
        abc = TestApi.newTenant("ABC", true);
        adamUser = TestApi.unique("adam");
        as(abc).body(Map.of("extension", "745", "displayName", "Adam", "sipUsername", adamUser,
                "sipPassword", SIP_PASSWORD)).post("/api/v1/customer/accounts").then().statusCode(201);
    }

    @AfterAll
    void stop() {
        if (kamailio != null) {
            kamailio.close();
        }
        if (stub != null) {
            stub.stop(0);
        }
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /** The service's part, played by the dialled code: *801 accept, *802 slow accept, ... */
    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        JsonObject body = new JsonObject(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        posts.add(new Post(path, body, ex.getRequestHeaders().getFirst("X-Callsup-Secret"),
                ex.getRequestHeaders().getFirst("Content-Type"), System.nanoTime()));
        if (!path.equals(PATH + "supervision-invites")) {
            reply(ex, 204, null);
            return;
        }
        String dialled = body.getString("dialled", "");
        try {
            switch (dialled) {
                case "*801" -> reply(ex, 200, accept(SDP));
                case "*802" -> {
                    Thread.sleep(500);
                    reply(ex, 200, accept(SDP));
                }
                case "*803" -> {
                    // slower than Kamailio's CS_HTTP_TIMEOUT (2 s): a decision Kamailio never sees
                    Thread.sleep(3500);
                    reply(ex, 200, accept(SDP));
                }
                case "*804" -> reply(ex, 200, new JsonObject().put("action", "accept").encode());
                case "*805" -> reply(ex, 200, new JsonObject().put("action", "reject").put("code", 403)
                        .put("reason", "Supervision not permitted").encode());
                default -> reply(ex, 404, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.close();
        }
    }

    private static String accept(String sdp) {
        return new JsonObject().put("action", "accept").put("sdp", sdp).encode();
    }

    private static void reply(HttpExchange ex, int status, String json) throws IOException {
        try (ex) {
            if (json == null) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        } catch (IOException gone) {
            // Kamailio gave up waiting (the timeout case): nobody reads this answer
        }
    }

    private SippPhone dial(String scenario, String code, String... extra) {
        Map<String, String> v = vars("user", adamUser, "domain", abc.sipDomain(), "dial", code,
                "rtp_ip", KamailioResource.HOST, "rtp_port", "40010");
        if (scenario.equals("uac_expect.xml")) {
            v.put("tdomain", abc.sipDomain());
        }
        v.putAll(vars(extra));
        // -rsa: to the separate Kamailio, not the one the service uses
        return SippPhone.start("adam" + code.substring(1), scenario, SippPhone.freshPort(), v,
                "-au", adamUser, "-ap", SIP_PASSWORD, "-rsa", KamailioResource.HOST + ":" + kamailio.sipPort());
    }

    private Post decision(String code) {
        return posts.stream().filter(p -> p.path.equals(PATH + "supervision-invites")
                && code.equals(p.body.getString("dialled"))).findFirst().orElseThrow(
                () -> new AssertionError("no decision request for " + code + "; posts: " + posts));
    }

    private List<Post> outcomes(Post decision) {
        return posts.stream().filter(p -> p.path.equals(PATH + "supervision-invites/outcome")
                && decision.body.getString("callId").equals(p.body.getString("callId"))).toList();
    }

    private Post awaitOutcome(String code) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            List<Post> o = posts.stream().anyMatch(p -> code.equals(p.body.getString("dialled")))
                    ? outcomes(decision(code)) : List.of();
            if (!o.isEmpty()) {
                Thread.sleep(300); // a second outcome would be a bug: give it the chance to show
                assertThat(outcomes(decision(code))).hasSize(1);
                Post outcome = o.get(0);
                assertThat(outcome.secret).isEqualTo(KamailioResource.EVENT_SECRET);
                assertThat(outcome.contentType).isEqualTo("application/json");
                assertThat(outcome.body.getString("fromTag")).isEqualTo(decision(code).body.getString("fromTag"));
                assertThat(outcome.body.fieldNames()).containsExactlyInAnyOrder("callId", "fromTag", "outcome");
                return outcome;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no outcome for " + code + " within " + WAIT + "; posts: " + posts);
    }

    @Test
    void anAnsweredAcceptIsReportedAnswered() throws Exception {
        SippPhone phone = dial("uac_expect.xml", "*801", "expect", "200");
        assertThat(phone.awaitExit(WAIT)).as(phone.trace()).isZero();
        assertThat(phone.finalResponse()).get().satisfies(r -> assertThat(r[0]).isEqualTo("200"));
        assertThat(awaitOutcome("*801").body.getString("outcome")).isEqualTo("answered");
    }

    @Test
    void anAcceptThePhoneCancelledMeanwhileIsReportedCancelled() throws Exception {
        SippPhone phone = dial("supervisor_cancel.xml", "*802", "cancel_ms", "100");
        // the scenario itself insists on 200 for the CANCEL and 487 for the INVITE
        assertThat(phone.awaitExit(WAIT)).as(phone.trace()).isZero();
        assertThat(phone.inviteAnswer()).get().asString().startsWith("487");
        Post outcome = awaitOutcome("*802");
        assertThat(outcome.body.getString("outcome")).isEqualTo("cancelled");
        // sent after the (late) decision came back, not before
        assertThat(outcome.atNanos).isGreaterThan(decision("*802").atNanos + Duration.ofMillis(450).toNanos());
    }

    @Test
    void aDecisionSlowerThanKamailiosTimeoutGives503AndIsReportedFailed() throws Exception {
        long t0 = System.nanoTime();
        SippPhone phone = dial("uac_expect.xml", "*803", "expect", "503");
        assertThat(phone.awaitExit(WAIT)).as(phone.trace()).isZero();
        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertThat(phone.finalResponse()).get().satisfies(r -> assertThat(r).containsExactly("503",
                "Supervision service unavailable"));
        // Kamailio's bound (2 s), not the stub's 3.5 s
        assertThat(ms).isLessThan(3500);
        Post outcome = awaitOutcome("*803");
        assertThat(outcome.body.getString("outcome")).isEqualTo("failed");
        // posted while the service was still "deciding": it learns that its late accept is void
        assertThat(outcome.atNanos - decision("*803").atNanos).isLessThan(Duration.ofMillis(3500).toNanos());
    }

    @Test
    void anAcceptWithoutUsableSdpGives503AndIsReportedFailed() throws Exception {
        SippPhone phone = dial("uac_expect.xml", "*804", "expect", "503");
        assertThat(phone.awaitExit(WAIT)).as(phone.trace()).isZero();
        assertThat(awaitOutcome("*804").body.getString("outcome")).isEqualTo("failed");
    }

    @Test
    void aRejectNeedsNoOutcome() throws Exception {
        SippPhone phone = dial("uac_expect.xml", "*805", "expect", "403");
        assertThat(phone.awaitExit(WAIT)).as(phone.trace()).isZero();
        assertThat(phone.finalResponse()).get().satisfies(r -> assertThat(r).containsExactly("403",
                "Supervision not permitted"));
        Thread.sleep(500);
        assertThat(outcomes(decision("*805"))).isEmpty();
    }
}
