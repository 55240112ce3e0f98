package io.callsup.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Map;

/**
 * Size limits of the API, answered with Problem Details. Vert.x's own codec limits
 * (quarkus.http.limits.*) are set well above these, because what the codec refuses it answers
 * with a bare status; everything between is refused here, with a body that says which limit.
 */
@ApplicationScoped
public class HttpLimits {

    @ConfigMapping(prefix = "callsup.http.limits")
    public interface Config {
        @WithDefault("4096")
        int maxUriLength();

        @WithDefault("16384")
        int maxHeaderBytes();

        @WithDefault("262144")
        long maxBodyBytes();
    }

    private final Config config;
    private final ObjectMapper json;

    public HttpLimits(Config config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    void routes(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 10).handler(this::check);
        router.route().order(Integer.MIN_VALUE + 10).failureHandler(this::failure);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.uri().length() > config.maxUriLength()) {
            reject(ctx, 414, "uri-too-long", "URI too long", "the request line's URI is longer than "
                    + config.maxUriLength() + " characters", "uri");
            return;
        }
        if (headerBytes(request.headers()) > config.maxHeaderBytes()) {
            reject(ctx, 431, "headers-too-large", "Request headers too large", "the request's headers are larger "
                    + "than " + config.maxHeaderBytes() + " bytes", "headers");
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null) {
            long bytes;
            try {
                bytes = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                reject(ctx, 400, "validation", "Invalid request", "Content-Length: must be a number", "Content-Length");
                return;
            }
            if (bytes > config.maxBodyBytes()) {
                reject(ctx, 413, "body-too-large", "Request body too large", "the request body is larger than "
                        + config.maxBodyBytes() + " bytes", "body");
                return;
            }
        }
        ctx.next();
    }

    /** Refusals made below the REST layer (a chunked body over quarkus.http.limits.max-body-size). */
    private void failure(RoutingContext ctx) {
        if (ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        switch (ctx.statusCode()) {
            case 413 -> reject(ctx, 413, "body-too-large", "Request body too large", "the request body is too large",
                    "body");
            case 414 -> reject(ctx, 414, "uri-too-long", "URI too long", "the request's URI is too long", "uri");
            case 431 -> reject(ctx, 431, "headers-too-large", "Request headers too large",
                    "the request's headers are too large", "headers");
            default -> ctx.next();
        }
    }

    private void reject(RoutingContext ctx, int status, String slug, String title, String detail, String field) {
        Problem problem = new Problem(Problems.type(slug), title, status, detail, null,
                List.of(new Problem.Violation(field, detail)));
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            body = "{}";
        }
        // The rest of an oversized request is not read: close rather than drain it.
        ctx.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Connection", "close").end(body);
    }

    private static long headerBytes(MultiMap headers) {
        long bytes = 0;
        for (Map.Entry<String, String> h : headers) {
            bytes += h.getKey().length() + h.getValue().length() + 4;
        }
        return bytes;
    }
}
