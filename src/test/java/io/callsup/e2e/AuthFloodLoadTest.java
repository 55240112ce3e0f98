package io.callsup.e2e;

import io.callsup.model.SupervisionMode;
import io.callsup.security.AuthThrottle;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.callsup.testsupport.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded load, not a performance measurement: a wrong-password flood is refused with 429 once over
 * the limit and does not hold up a dialled supervision code, and a CRM's cached credential is served
 * at 200 requests per second.
 */
@QuarkusTest
class AuthFloodLoadTest {

    /** Generous: a dialled code is decided in well under a second on an idle machine. */
    static final Duration DIAL_BOUND = Duration.ofSeconds(4);

    @Inject
    AuthThrottle throttle;

    @BeforeEach
    @AfterEach
    void freshCounters() {
        throttle.reset();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void floodIsRefusedAndADialledCodeIsStillDecidedInTime() throws Exception {
        Pbx pbx = new Pbx(true);
        // 127.0.0.1, not localhost: one source address (localhost may resolve to ::1 as well).
        URI calls = URI.create("http://127.0.0.1:" + RestAssured.port + "/api/v1/calls");
        Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
        ExecutorService flooders = Executors.newFixedThreadPool(6);
        try (Pbx.JohnsCall johns = pbx.johnsCall(Duration.ofSeconds(60));
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ)) {
            List<CompletableFuture<Void>> flood = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                flood.add(CompletableFuture.runAsync(() -> {
                    HttpClient client = HttpClient.newHttpClient();
                    for (int i = 0; i < 50; i++) {
                        // Half aim at the customer's real manager, half at made-up names.
                        String user = i % 2 == 0 ? pbx.abc.username() : "guess-" + thread + "-" + i;
                        // Distinct passwords: identical concurrent attempts are verified once and share the answer.
                        HttpRequest r = HttpRequest.newBuilder(calls).header("Authorization",
                                basic(user, "wrong-password-" + thread + "-" + i)).build();
                        try {
                            int status = client.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
                            answers.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                        } catch (Exception e) {
                            answers.computeIfAbsent(-1, k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                }, flooders));
            }
            long start = System.nanoTime();
            try (SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_wait_bye.xml", adam)) {
                Pbx.connect(adam, adamPhone);
                Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
                Duration decided = Duration.ofNanos(System.nanoTime() - start);
                CompletableFuture.allOf(flood.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
                System.out.printf("dialled *90744 decided in %d ms during a flood answered %s%n", decided.toMillis(),
                        answers);
                assertThat(decided).as("dialled code decided under the flood").isLessThan(DIAL_BOUND);
            }
        } finally {
            flooders.shutdownNow();
        }
        int total = answers.values().stream().mapToInt(AtomicInteger::get).sum();
        assertThat(total).isEqualTo(300);
        assertThat(answers.keySet()).containsOnly(401, 429);
        // Few of the 300 guesses were ever verified: one source window (60), plus at most one more
        // username window (10) if the manager's genuine sign-in during the flood cleared its counter.
        assertThat(answers.get(401).get()).isLessThanOrEqualTo(70);
        assertThat(answers.get(429).get()).isGreaterThanOrEqualTo(230);
    }

    @Test
    void cachedCredentialIsServedAt200RequestsPerSecond() throws Exception {
        TestApi.Tenant tenant = TestApi.newTenant("Rate", true);
        long role = TestApi.newRole(tenant, "crm", "CALL_CONTROL_READ");
        String user = TestApi.unique("crm");
        as(tenant).body(Map.of("username", user, "password", "crm-password-123", "realm", "CUSTOMER", "roleId", role))
                .post("/api/v1/customer/credentials").then().statusCode(201);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port
                + "/api/v1/calls")).header("Authorization", basic(user, "crm-password-123")).build();
        HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
        int perSecond = 200;
        int seconds = 3;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        List<CompletableFuture<HttpResponse<Void>>> sent = new ArrayList<>();
        long start = System.nanoTime();
        try {
            CompletableFuture<Void> done = new CompletableFuture<>();
            ticker.scheduleAtFixedRate(() -> {
                synchronized (sent) {
                    if (sent.size() == perSecond * seconds) {
                        done.complete(null);
                        return;
                    }
                    sent.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
                }
            }, 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
            done.get(30, TimeUnit.SECONDS);
        } finally {
            ticker.shutdownNow();
        }
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<Void>> f : sent) {
            statuses.add(f.get(30, TimeUnit.SECONDS).statusCode());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("%d requests sent at %d/s answered in %d ms%n", statuses.size(), perSecond, took.toMillis());
        assertThat(statuses).hasSize(perSecond * seconds).containsOnly(200);
        // Served, not queued up: a generous bound on a shared 2-core machine (an idle run takes ~3.0 s).
        assertThat(took).isLessThan(Duration.ofSeconds(seconds + 5));
    }
}
