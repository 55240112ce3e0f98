package io.callsup.web;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.callsup.security.MalformedCredentials;
import io.callsup.security.TooManyAttempts;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/** Turns every failure that reaches the REST layer into a Problem Details body. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return e.toResponse(uri.getPath());
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
        List<Problem.Violation> violations = e.getConstraintViolations().stream()
                .map(v -> new Problem.Violation(fieldName(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.Violation::field))
                .toList();
        String detail = violations.stream().map(v -> v.field() + ": " + v.message()).collect(Collectors.joining("; "));
        return Problems.response(400, "validation", "Invalid request", detail, uri.getPath(), violations);
    }

    // Quarkus ships its own mappers for these two subtypes; naming them here makes ours win.
    @ServerExceptionMapper(priority = 1)
    public Response badJson(JsonParseException e, UriInfo uri) {
        return malformedBody(e, uri);
    }

    @ServerExceptionMapper(priority = 1)
    public Response badJson(MismatchedInputException e, UriInfo uri) {
        return malformedBody(e, uri);
    }

    @ServerExceptionMapper(priority = 1)
    public Response badJson(JsonProcessingException e, UriInfo uri) {
        return malformedBody(e, uri);
    }

    private static Response malformedBody(JsonProcessingException e, UriInfo uri) {
        String field = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                : "body";
        String message = "is not valid JSON for this resource: " + e.getOriginalMessage();
        return Problems.response(400, "malformed-body", "Malformed request body", field + " " + message, uri.getPath(),
                List.of(new Problem.Violation(field, message)));
    }

    @ServerExceptionMapper
    public Response unauthenticated(AuthenticationFailedException e, UriInfo uri) {
        // Quarkus may wrap what an authentication mechanism failed with.
        if (e.getCause() instanceof TooManyAttempts t) {
            return tooManyAttempts(t, uri);
        }
        if (e.getCause() instanceof MalformedCredentials m) {
            return malformedCredentials(m, uri);
        }
        return unauthorized(uri);
    }

    @ServerExceptionMapper
    public Response tooManyAttempts(TooManyAttempts e, UriInfo uri) {
        Response problem = Problems.response(429, "too-many-attempts", "Too many authentication attempts",
                "too many authentication attempts from this source or for this username; retry after "
                        + e.retryAfterSeconds() + " s", uri.getPath(), null);
        return Response.fromResponse(problem).header(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds()).build();
    }

    @ServerExceptionMapper
    public Response malformedCredentials(MalformedCredentials e, UriInfo uri) {
        return Problems.response(400, "malformed-credentials", "Malformed credentials",
                e.field() + ": " + e.getMessage(), uri.getPath(), List.of(new Problem.Violation(e.field(), e.getMessage())));
    }

    @ServerExceptionMapper
    public Response unauthenticated(UnauthorizedException e, UriInfo uri) {
        return unauthorized(uri);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return Problems.response(403, "forbidden", "Forbidden",
                "this credential's realm or role does not allow this request", uri.getPath(), null);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        // A body cut short reaches us as a 400 wrapping the parser's error, which says what is wrong.
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedBody(json, uri);
        }
        // A refusal that already carries its problem (IdParameters) keeps it, with this request's path.
        if (e.getResponse().getEntity() instanceof Problem p) {
            return Problems.response(new Problem(p.type(), p.title(), p.status(), p.detail(), uri.getPath(),
                    p.violations()));
        }
        if (e instanceof jakarta.ws.rs.NotSupportedException) {
            return unsupportedMediaType(uri.getPath());
        }
        int status = e.getResponse().getStatus();
        String title = Response.Status.fromStatusCode(status) != null
                ? Response.Status.fromStatusCode(status).getReasonPhrase() : "HTTP " + status;
        return Problems.response(status, "http-" + status, title,
                e.getMessage() == null ? title : e.getMessage(), uri.getPath(), null);
    }

    static Response unsupportedMediaType(String path) {
        return Problems.response(415, "unsupported-media-type", "Unsupported media type",
                "Content-Type: the request body must be sent as application/json", path,
                List.of(new Problem.Violation("Content-Type", "must be application/json")));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e, UriInfo uri) {
        if (Dependencies.databaseDown(e)) {
            LOG.warnf("database unavailable on %s: %s", uri.getPath(), Dependencies.rootMessage(e));
            return Dependencies.unavailable("PostgreSQL", uri.getPath());
        }
        if (Dependencies.badData(e)) {
            LOG.infof("refused data on %s: %s", uri.getPath(), Dependencies.rootMessage(e));
            return Problems.response(400, "validation", "Invalid request",
                    "a value in the request cannot be stored or searched for (e.g. a NUL character)", uri.getPath(), null);
        }
        LOG.errorf(e, "unexpected failure on %s", uri.getPath());
        return Problems.response(500, "internal", "Internal error",
                "the service failed unexpectedly; the failure is logged", uri.getPath(), null);
    }

    private static Response unauthorized(UriInfo uri) {
        Response problem = Problems.response(401, "unauthenticated", "Unauthenticated",
                "valid HTTP Basic credentials or a Bearer token are required", uri.getPath(), null);
        return Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE,
                "Basic realm=\"callsup\", Bearer realm=\"callsup\"").build();
    }

    /** The last property name of the path: "create.body.extension" becomes "extension". */
    private static String fieldName(ConstraintViolation<?> violation) {
        String field = null;
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == jakarta.validation.ElementKind.PROPERTY
                    || node.getKind() == jakarta.validation.ElementKind.PARAMETER) {
                field = node.getName();
            }
        }
        return field == null ? "body" : field;
    }
}
