package io.callsup.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callsup.security.Caller;
import io.callsup.web.Problem;
import io.callsup.web.ProblemException;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.function.Supplier;

/** Runs a join or update at most once per {@code Idempotency-Key}; a retry gets the first response. */
@ApplicationScoped
public class IdempotentRequests {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED = "Idempotent-Replayed";

    static final int MAX_KEY = 255;

    private final IdempotencyKeys keys;
    private final ObjectMapper json;
    private final CurrentVertxRequest current;

    public IdempotentRequests(IdempotencyKeys keys, ObjectMapper json, CurrentVertxRequest current) {
        this.keys = keys;
        this.json = json;
        this.current = current;
    }

    /**
     * Call after the caller's permission was checked: the key belongs to the credential, and only a
     * successful answer is stored.
     */
    public Response run(Caller caller, String key, String operation, Object request, String instance,
                        Supplier<Response> action) {
        if (key == null) {
            // An empty header may reach us as no value at all; it is still a mistake, not "no key".
            if (current.getCurrent() != null && current.getCurrent().request().headers().contains(HEADER)) {
                throw ProblemException.invalid(HEADER, "must not be empty");
            }
            return action.get();
        }
        if (key.isBlank()) {
            throw ProblemException.invalid(HEADER, "must not be empty");
        }
        if (key.length() > MAX_KEY || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ProblemException.invalid(HEADER, "must be 1-" + MAX_KEY + " visible ASCII characters");
        }
        long customerId = caller.customerId();
        long credentialId = caller.credentialId();
        String fingerprint;
        try {
            fingerprint = IdempotencyKeys.fingerprint(operation,
                    request == null ? new byte[0] : json.writeValueAsBytes(request));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        IdempotencyKeys.Claim claim = keys.claim(customerId, credentialId, key, operation, fingerprint);
        if (claim instanceof IdempotencyKeys.Claim.Replay replay) {
            IdempotencyKeys.Stored s = replay.response();
            Response.ResponseBuilder r = Response.status(s.status()).entity(s.body())
                    .type(s.status() >= 400 ? Problem.MEDIA_TYPE : MediaType.APPLICATION_JSON)
                    .header(REPLAYED, "true");
            if (s.location() != null) {
                r.header(HttpHeaders.LOCATION, s.location());
            }
            return r.build();
        }
        if (claim instanceof IdempotencyKeys.Claim.InProgress) {
            throw new ProblemException(409, "idempotency-key-in-use", "Request in progress",
                    "a request with this Idempotency-Key is still being processed; retry later", null);
        }
        if (claim instanceof IdempotencyKeys.Claim.Mismatch mismatch) {
            throw new ProblemException(422, "idempotency-key-reused", "Idempotency-Key reused",
                    "this Idempotency-Key was used for a different request (" + mismatch.operation()
                            + " with another body)", null);
        }
        Response response;
        try {
            response = action.get();
        } catch (ProblemException e) {
            response = e.toResponse(instance);
        } catch (RuntimeException e) {
            keys.release(credentialId, key);
            throw e;
        }
        // Only work that was done is remembered: a refusal (4xx) changed nothing and is judged afresh on
        // retry, so it is never replayed to a request that would be allowed, and leaves no row behind.
        int status = response.getStatus();
        if (status >= 400) {
            keys.release(credentialId, key);
            return response;
        }
        try {
            Object entity = response.getEntity();
            String body = entity == null ? null : entity instanceof String s ? s : json.writeValueAsString(entity);
            String location = response.getLocation() == null ? null : response.getLocation().toString();
            keys.complete(credentialId, key, new IdempotencyKeys.Stored(response.getStatus(), body, location));
        } catch (JsonProcessingException | RuntimeException e) {
            keys.release(credentialId, key);
            throw new IllegalStateException("could not store the response for an Idempotency-Key", e);
        }
        return response;
    }
}
