package io.callsup.security.bench;

import io.callsup.testsupport.TestApi;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static io.callsup.testsupport.TestApi.as;

/**
 * Benchmark, not a test: authenticated API throughput and latency against the whole service
 * (real PostgreSQL, Artemis, Kamailio and rtpengine started by the test resources), for HTTP Basic
 * with the verified-credential cache and for a Bearer token. Each client thread sends
 * {@code GET /api/v1/calls} back to back for the measured period after a warm-up.
 * Run with {@code bin/bench-api [seconds] [clients]}; the script uses production PBKDF2 rounds.
 */
@QuarkusTest
public class ApiBench {

    record Result(String name, int requests, int errors, double seconds, long p50, long p99, long max) {
        void print() {
            System.out.printf("%-28s %8d requests  %6.0f req/s  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  errors %d%n",
                    name, requests, requests / seconds, p50 / 1e6, p99 / 1e6, max / 1e6, errors);
        }
    }

    @Test
    void bench() throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 10);
        int clients = Integer.getInteger("bench.clients", 8);
        TestApi.Tenant tenant = TestApi.newTenant("Bench", true);
        long role = TestApi.newRole(tenant, "crm", "CALL_CONTROL_READ");
        String user = TestApi.unique("bench");
        String password = "bench-password-123";
        long credential = as(tenant).body(Map.of("username", user, "password", password, "realm", "CUSTOMER",
                "roleId", role)).post("/api/v1/customer/credentials").then().statusCode(201).extract().jsonPath()
                .getLong("id");
        String token = as(tenant).body(Map.of("name", "bench")).post("/api/v1/customer/credentials/{id}/tokens",
                credential).then().statusCode(201).extract().jsonPath().getString("token");
        String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        URI uri = URI.create("http://localhost:" + RestAssured.port + "/api/v1/calls");

        long t0 = System.nanoTime();
        int code = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).header("Authorization", basic).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        long first = System.nanoTime() - t0;
        System.out.printf("%nAPI authentication bench: GET /api/v1/calls, %d client threads, %d s per mode, "
                        + "PBKDF2 rounds %s, %d cores%n", clients, seconds,
                System.getProperty("callsup.security.password-hash-iterations", "1000 (test profile)"),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("first Basic request (PBKDF2, not cached): %.1f ms, status %d%n", first / 1e6, code);
        List<Result> results = new ArrayList<>();
        results.add(run("Basic (cached)", uri, basic, clients, seconds));
        results.add(run("Bearer token", uri, "Bearer " + token, clients, seconds));
        results.forEach(Result::print);
        System.out.printf("reproduce: bin/bench-api %d %d%n%n", seconds, clients);
    }

    static Result run(String name, URI uri, String authorization, int clients, int seconds) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Authorization", authorization).build();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger errors = new AtomicInteger();
        try {
            // Warm-up: JIT, connection pool, cache fill.
            measure(pool, request, clients, Duration.ofSeconds(2), errors);
            errors.set(0);
            long start = System.nanoTime();
            List<long[]> latencies = measure(pool, request, clients, Duration.ofSeconds(seconds), errors);
            double elapsed = (System.nanoTime() - start) / 1e9;
            long[] all = latencies.stream().flatMapToLong(java.util.Arrays::stream).sorted().toArray();
            return new Result(name, all.length, errors.get(), elapsed, percentile(all, 0.50), percentile(all, 0.99),
                    all.length == 0 ? 0 : all[all.length - 1]);
        } finally {
            pool.shutdownNow();
        }
    }

    static List<long[]> measure(ExecutorService pool, HttpRequest request, int clients, Duration period,
                                AtomicInteger errors) throws Exception {
        long end = System.nanoTime() + period.toNanos();
        List<Future<long[]>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                long[] samples = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                    long d = System.nanoTime() - s;
                    if (status != 200) {
                        errors.incrementAndGet();
                    }
                    if (n == samples.length) {
                        samples = java.util.Arrays.copyOf(samples, n * 2);
                    }
                    samples[n++] = d;
                }
                return java.util.Arrays.copyOf(samples, n);
            }));
        }
        List<long[]> out = new ArrayList<>();
        for (Future<long[]> f : futures) {
            out.add(f.get());
        }
        return out;
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
