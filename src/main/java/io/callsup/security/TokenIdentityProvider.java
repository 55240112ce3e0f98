package io.callsup.security;

import io.callsup.tenant.ApiCredential;
import io.callsup.tenant.ApiToken;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Optional;

/** Checks {@code Authorization: Bearer} tokens issued by {@link ApiTokens}; the caller is the token's credential. */
@ApplicationScoped
public class TokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private record Found(SecurityIdentity identity, Instant expiresAt) {
    }

    private final VerifiedCredentials verified;
    private final AuthThrottle throttle;

    public TokenIdentityProvider(VerifiedCredentials verified, AuthThrottle throttle) {
        this.verified = verified;
        this.throttle = throttle;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String token = request.getToken().getToken();
        String source = ApiAuthMechanism.source(request);
        String key = verified.key("bearer", "", token);
        SecurityIdentity cached = verified.get(key);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return verified.once(key, () -> {
            AttemptThrottle.Refusal refused = throttle.get().acquire(source, null);
            if (refused != null) {
                return Uni.createFrom().failure(new TooManyAttempts(refused.retryAfterSeconds()));
            }
            long generation = verified.generation();
            return context.runBlocking(() -> {
                Optional<Found> found = QuarkusTransaction.requiringNew().call(() -> identify(token));
                if (found.isEmpty()) {
                    throw new AuthenticationFailedException("invalid token");
                }
                throttle.get().succeeded(source, null);
                SecurityIdentity id = found.get().identity();
                verified.put(generation, key, id, id.getAttribute(Caller.CUSTOMER_ID), found.get().expiresAt());
                return id;
            });
        });
    }

    private static Optional<Found> identify(String token) {
        return ApiToken.findUsable(ApiTokens.hash(token), Instant.now())
                .flatMap(t -> ApiCredential.<ApiCredential>findByIdOptional(t.credentialId)
                        .map(c -> new Found(Identities.of(c, Caller.TOKEN), t.expiresAt)));
    }
}
