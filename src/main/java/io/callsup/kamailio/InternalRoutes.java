package io.callsup.kamailio;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callsup.web.Problem;
import io.callsup.web.ProblemException;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validator;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Kamailio's endpoints on the management interface ({@code quarkus.management.port}), never on the
 * public port: the public API's users and this trust boundary do not mix. Order of checks: the
 * event secret (401) before anything about the request is revealed; then path (404), method (405),
 * content type (415), size (413), JSON (400 malformed-body) and constraints (400 validation), each
 * answered with Problem Details like the public API.
 */
@ApplicationScoped
public class InternalRoutes {

    static final String PREFIX = "/internal";
    static final String BASE = PREFIX + "/kamailio/v1/";
    /** The largest legitimate body is an INVITE decision with a 16 KiB SDP, JSON-escaped. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private static final Logger LOG = Logger.getLogger(InternalRoutes.class);

    private final KamailioEndpoints endpoints;
    private final Validator validator;
    private final KamailioConfig config;
    private final ObjectMapper json;

    public InternalRoutes(KamailioEndpoints endpoints, Validator validator, KamailioConfig config, ObjectMapper mapper) {
        this.endpoints = endpoints;
        this.validator = validator;
        this.config = config;
        // Two "event" keys in one body would let the two ends of a proxy read different messages.
        this.json = mapper.copy().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    void onManagement(@Observes ManagementInterface management) {
        Router router = management.router();
        router.route(PREFIX + "*").handler(this::requireSecret);
        router.route(PREFIX + "*").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        post(router, "supervision-invites", KamailioMessages.SupervisionInvite.class, endpoints::supervisionInvite);
        post(router, "supervision-invites/outcome", KamailioMessages.InviteOutcome.class, m -> {
            endpoints.supervisionInviteOutcome(m);
            return null;
        });
        post(router, "blf-subscriptions", KamailioMessages.BlfSubscription.class, endpoints::blfSubscription);
        post(router, "dialog-events", KamailioMessages.DialogEvent.class, m -> {
            endpoints.dialogEvent(m);
            return null;
        });
        post(router, "supervisor-events", KamailioMessages.SupervisorEvent.class, m -> {
            endpoints.supervisorEvent(m);
            return null;
        });
        router.route(PREFIX + "*").handler(ctx -> problem(ctx, ProblemException.notFound("internal endpoint",
                ctx.normalizedPath())));
        router.route(PREFIX + "*").failureHandler(this::failure);
    }

    /**
     * The public port knows nothing under /internal: the same 404 Problem as for any unknown path,
     * so a scan of the public port cannot tell that the internal endpoints exist elsewhere.
     */
    void onPublic(@Observes Router router) {
        router.route(PREFIX).handler(ctx -> problem(ctx, ProblemException.notFound("resource", ctx.normalizedPath())));
        router.route(PREFIX + "/*").handler(ctx -> problem(ctx, ProblemException.notFound("resource",
                ctx.normalizedPath())));
    }

    private void requireSecret(RoutingContext ctx) {
        if (config.eventSecret().matches(ctx.request().getHeader(JsonRpcKamailioClient.SECRET_HEADER))) {
            ctx.next();
            return;
        }
        problem(ctx, new ProblemException(401, "unauthenticated", "Unauthenticated",
                "the " + JsonRpcKamailioClient.SECRET_HEADER + " header is missing or wrong", null));
    }

    private <T> void post(Router router, String path, Class<T> type, Function<T, Object> handler) {
        router.post(BASE + path).blockingHandler(ctx -> handle(ctx, type, handler), false);
        router.route(BASE + path).handler(ctx -> {
            ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
            problem(ctx, new ProblemException(405, "method-not-allowed", "Method Not Allowed",
                    ctx.request().method() + " is not allowed here; use POST", null));
        });
    }

    private <T> void handle(RoutingContext ctx, Class<T> type, Function<T, Object> handler) {
        try {
            String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
            if (contentType == null || !contentType.split(";")[0].trim().equalsIgnoreCase("application/json")) {
                throw new ProblemException(415, "unsupported-media-type", "Unsupported Media Type",
                        "the body must be application/json", null);
            }
            // The management interface reads bodies before our routes run, so the limit is ours to apply.
            if (ctx.body().length() > MAX_BODY_BYTES) {
                throw new ProblemException(413, "payload-too-large", "Payload Too Large",
                        "the body exceeds " + MAX_BODY_BYTES + " bytes", null);
            }
            T message = parse(ctx, type);
            Object answer = handler.apply(message);
            if (answer == null) {
                ctx.response().setStatusCode(204).end();
            } else {
                ctx.response().setStatusCode(200).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(json.writeValueAsString(answer));
            }
        } catch (ProblemException e) {
            problem(ctx, e);
        } catch (RuntimeException | IOException e) {
            LOG.errorf(e, "internal endpoint %s failed", ctx.normalizedPath());
            problem(ctx, new ProblemException(500, "internal", "Internal error",
                    "the service failed unexpectedly; the failure is logged", null));
        }
    }

    private <T> T parse(RoutingContext ctx, Class<T> type) {
        T message;
        try {
            byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            message = json.readValue(body, type);
        } catch (JsonProcessingException e) {
            String field = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                    ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."))
                    : "body";
            String why = "is not valid JSON for this resource: " + e.getOriginalMessage();
            throw new ProblemException(400, "malformed-body", "Malformed request body", field + " " + why,
                    List.of(new Problem.Violation(field, why)));
        } catch (IOException e) {
            throw new ProblemException(400, "malformed-body", "Malformed request body", "body cannot be read",
                    List.of(new Problem.Violation("body", "cannot be read")));
        }
        if (message == null) {
            throw ProblemException.invalid("body", "must not be null");
        }
        Set<ConstraintViolation<T>> violations = validator.validate(message);
        if (!violations.isEmpty()) {
            throw ProblemException.invalid(violations.stream()
                    .map(v -> new Problem.Violation(fieldName(v.getPropertyPath()), v.getMessage()))
                    .sorted(Comparator.comparing(Problem.Violation::field)).toList());
        }
        return message;
    }

    private void failure(RoutingContext ctx) {
        if (ctx.statusCode() == 413) {
            problem(ctx, new ProblemException(413, "payload-too-large", "Payload Too Large",
                    "the body exceeds " + MAX_BODY_BYTES + " bytes", null));
            return;
        }
        if (ctx.failure() != null) {
            LOG.errorf(ctx.failure(), "internal endpoint %s failed", ctx.normalizedPath());
        }
        problem(ctx, new ProblemException(500, "internal", "Internal error",
                "the service failed unexpectedly; the failure is logged", null));
    }

    private void problem(RoutingContext ctx, ProblemException e) {
        if (ctx.response().ended()) {
            return;
        }
        String body;
        try {
            body = json.writeValueAsString(e.toProblem(ctx.normalizedPath()));
        } catch (JsonProcessingException impossible) {
            body = "{\"status\":" + e.status() + "}";
        }
        ctx.response().setStatusCode(e.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).end(body);
    }

    private static String fieldName(Path path) {
        String field = null;
        for (Path.Node node : path) {
            if (node.getKind() == ElementKind.PROPERTY || node.getKind() == ElementKind.PARAMETER) {
                field = node.getName();
            }
        }
        return field == null ? "body" : field;
    }
}
