package io.callsup.testsupport.otel;

import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in OTLP/HTTP collector: counts protobuf POSTs to /v1/traces and keeps their bodies, so a
 * test can see that the service's OTLP exporter really sends. The test profile starts it (profiles
 * and tests live in different class loaders), so tests ask it over HTTP: GET /received?name=X
 * answers "posts spansNamedX", X found as the UTF-8 string it is inside the protobuf.
 */
public final class OtlpReceiver {

    private static final String PORT_PROPERTY = "callsup.test.otlp-port";
    private static HttpServer server;
    private static final AtomicInteger POSTS = new AtomicInteger();
    private static final ByteArrayOutputStream BODIES = new ByteArrayOutputStream();

    private OtlpReceiver() {
    }

    /**
     * Starts it once per JVM; returns its port. Quarkus reads the profile's overrides in more than
     * one class loader, each with its own copy of this class: the port in the system property (one
     * per JVM) is the receiver already running, so a second one is never started in another loader
     * (the exporter would post to the first and the test would ask the second).
     */
    public static synchronized int start() {
        String running = System.getProperty(PORT_PROPERTY);
        if (running != null) {
            return Integer.parseInt(running);
        }
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/traces", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            if ("POST".equals(ex.getRequestMethod()) && "application/x-protobuf".equals(type)) {
                POSTS.incrementAndGet();
                synchronized (BODIES) {
                    BODIES.writeBytes(body);
                }
                ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                ex.sendResponseHeaders(200, -1);
            } else {
                ex.sendResponseHeaders(415, -1);
            }
            ex.close();
        });
        server.createContext("/received", ex -> {
            String name = ex.getRequestURI().getQuery().replaceFirst("^name=", "");
            String all;
            synchronized (BODIES) {
                all = BODIES.toString(StandardCharsets.ISO_8859_1);
            }
            int found = all.split(java.util.regex.Pattern.quote(name), -1).length - 1;
            byte[] answer = (POSTS.get() + " " + found).getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
        System.setProperty(PORT_PROPERTY, Integer.toString(server.getAddress().getPort()));
        return server.getAddress().getPort();
    }

    /** From the test's side: {POSTs to /v1/traces, occurrences of {@code spanName} in their bodies}. */
    public static int[] received(String spanName) {
        String port = System.getProperty(PORT_PROPERTY);
        if (port == null) {
            throw new IllegalStateException("no OTLP receiver: is the test profile TracingProfile?");
        }
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/received?name=" + spanName)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String[] parts = r.body().split(" ");
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
