package io.callsup.kamailio;

import io.callsup.web.Problems;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Kamailio's requests carry the shared secret instead of user credentials. It is checked before
 * the body is read or validated, so a caller without it learns nothing about what a body should be.
 */
public class KamailioSecretFilter {

    static final String PATH_PREFIX = "/internal/kamailio/";

    private final KamailioConfig config;

    public KamailioSecretFilter(KamailioConfig config) {
        this.config = config;
    }

    @ServerRequestFilter
    public Optional<Response> requireSecret(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith(PATH_PREFIX)) {
            return Optional.empty();
        }
        String secret = request.getHeaderString(JsonRpcKamailioClient.SECRET_HEADER);
        boolean ok = secret != null && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                config.secret().getBytes(StandardCharsets.UTF_8));
        return ok ? Optional.empty() : Optional.of(Problems.response(401, "unauthenticated", "Unauthenticated",
                "the " + JsonRpcKamailioClient.SECRET_HEADER + " header is missing or wrong",
                request.getUriInfo().getPath(), null));
    }
}
