package io.callsup.security;

import io.quarkus.security.credential.PasswordCredential;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Reads {@code Authorization: Basic} and {@code Authorization: Bearer} for every HTTP endpoint,
 * the live event stream included. A header that cannot be a credential (bad Base64, no colon,
 * control characters) is refused as malformed before any lookup, so it never reaches the database.
 */
@ApplicationScoped
public class ApiAuthMechanism implements HttpAuthenticationMechanism {

    static final String SOURCE = "callsup.source";
    static final String CHALLENGE = "Basic realm=\"callsup\", Bearer realm=\"callsup\"";
    private static final int MAX_LOGIN = 300;
    private static final int MAX_SECRET = 1024;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        AuthenticationRequest request;
        try {
            request = parse(header.strip());
        } catch (MalformedCredentials e) {
            return Uni.createFrom().failure(e);
        }
        if (request == null) {
            // Another scheme: nobody is authenticated, and protected endpoints answer 401.
            return Uni.createFrom().optional(java.util.Optional.empty());
        }
        SocketAddress remote = context.request().remoteAddress();
        request.setAttribute(SOURCE, remote == null ? "unknown" : remote.hostAddress());
        HttpSecurityUtils.setRoutingContextAttribute(request, context);
        return identityProviderManager.authenticate(request);
    }

    static AuthenticationRequest parse(String header) {
        int space = header.indexOf(' ');
        String scheme = (space < 0 ? header : header.substring(0, space)).toLowerCase(Locale.ROOT);
        String value = space < 0 ? "" : header.substring(space + 1).strip();
        if (scheme.equals("basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new MalformedCredentials("Authorization", "Basic credentials must be Base64 of username:password");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new MalformedCredentials("Authorization", "Basic credentials must be Base64 of username:password");
            }
            String username = decoded.substring(0, colon);
            String password = decoded.substring(colon + 1);
            check("username", username, MAX_LOGIN);
            check("password", password, MAX_SECRET);
            return new UsernamePasswordAuthenticationRequest(username, new PasswordCredential(password.toCharArray()));
        }
        if (scheme.equals("bearer")) {
            if (value.isEmpty() || value.length() > MAX_SECRET || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new MalformedCredentials("Authorization", "a Bearer token is 1-1024 visible ASCII characters");
            }
            return new TokenAuthenticationRequest(new TokenCredential(value, "bearer"));
        }
        return null;
    }

    private static void check(String field, String value, int max) {
        if (value.isEmpty() || value.length() > max) {
            throw new MalformedCredentials(field, "must be 1-" + max + " characters");
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0xfffd)) {
            throw new MalformedCredentials(field, "must not contain control characters or invalid UTF-8");
        }
    }

    static String source(AuthenticationRequest request) {
        String source = request.getAttribute(SOURCE);
        return source == null ? "unknown" : source;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", CHALLENGE));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(UsernamePasswordAuthenticationRequest.class, TokenAuthenticationRequest.class);
    }
}
