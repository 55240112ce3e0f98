package io.callsup.web;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.List;

/** Thrown anywhere below a resource to end the request with a Problem Details response. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String slug;
    private final String title;
    private final List<Problem.Violation> violations;
    private long retryAfterSeconds = -1;

    public ProblemException(int status, String slug, String title, String detail, List<Problem.Violation> violations) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.violations = violations == null || violations.isEmpty() ? null : List.copyOf(violations);
    }

    /**
     * Not found, said the same way whether the object does not exist or belongs to another
     * customer, so that no tenant learns about another's data.
     */
    public static ProblemException notFound(String what, Object id) {
        return new ProblemException(404, "not-found", "Not found", what + " " + id + " not found", null);
    }

    public static ProblemException invalid(String field, String message) {
        return new ProblemException(400, "validation", "Invalid request", field + ": " + message,
                List.of(new Problem.Violation(field, message)));
    }

    public static ProblemException invalid(List<Problem.Violation> violations) {
        String detail = violations.stream().map(v -> v.field() + ": " + v.message())
                .reduce((a, b) -> a + "; " + b).orElse("invalid request");
        return new ProblemException(400, "validation", "Invalid request", detail, violations);
    }

    public static ProblemException conflict(String field, String message) {
        return new ProblemException(409, "conflict", "Conflict", field + ": " + message,
                List.of(new Problem.Violation(field, message)));
    }

    /**
     * For a 503 of a dependency that comes back by itself: clients (and their generated retry
     * logic) wait this long instead of hammering the service. Rounded up to whole seconds, at least 1.
     */
    public ProblemException retryAfter(Duration wait) {
        retryAfterSeconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return this;
    }

    /** The Problem Details response, with Retry-After when {@link #retryAfter} was set. */
    public Response toResponse(String instance) {
        Response problem = Problems.response(toProblem(instance));
        return retryAfterSeconds < 0 ? problem
                : Response.fromResponse(problem).header(HttpHeaders.RETRY_AFTER, retryAfterSeconds).build();
    }

    public Problem toProblem(String instance) {
        return new Problem(Problems.type(slug), title, status, getMessage(), instance, violations);
    }

    public int status() {
        return status;
    }
}
