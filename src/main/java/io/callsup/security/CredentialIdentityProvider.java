package io.callsup.security;

import io.callsup.tenant.ApiCredential;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * Checks HTTP Basic credentials against {@link ApiCredential} rows and says who the caller is.
 * A recently verified username and password is answered from {@link VerifiedCredentials} without
 * PBKDF2; every other attempt is counted by the {@link AttemptThrottle} first, and an unknown
 * username costs one PBKDF2 against a dummy hash, like a known one with a wrong password.
 */
@ApplicationScoped
public class CredentialIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private final PasswordHasher hasher;
    private final VerifiedCredentials verified;
    private final AuthThrottle throttle;

    public CredentialIdentityProvider(PasswordHasher hasher, VerifiedCredentials verified, AuthThrottle throttle) {
        this.hasher = hasher;
        this.verified = verified;
        this.throttle = throttle;
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
                                              AuthenticationRequestContext context) {
        String login = request.getUsername();
        String password = new String(request.getPassword().getPassword());
        String source = ApiAuthMechanism.source(request);
        AttemptThrottle.Refusal locked = throttle.get().locked(login);
        if (locked != null) {
            return Uni.createFrom().failure(new TooManyAttempts(locked.retryAfterSeconds()));
        }
        String key = verified.key("basic", login, password);
        SecurityIdentity cached = verified.get(key);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return verified.once(key, () -> {
            AttemptThrottle.Refusal refused = throttle.get().acquire(source, login);
            if (refused != null) {
                return Uni.createFrom().failure(new TooManyAttempts(refused.retryAfterSeconds()));
            }
            long generation = verified.generation();
            return context.runBlocking(() -> {
                Optional<SecurityIdentity> identity = QuarkusTransaction.requiringNew().call(() -> identify(login, password));
                if (identity.isEmpty()) {
                    throttle.get().failed(login);
                    // One message for unknown user and wrong password, so usernames cannot be probed.
                    throw new AuthenticationFailedException("invalid credentials");
                }
                throttle.get().succeeded(source, login);
                SecurityIdentity id = identity.get();
                verified.put(generation, key, id, id.getAttribute(Caller.CUSTOMER_ID), null);
                return id;
            });
        });
    }

    private Optional<SecurityIdentity> identify(String login, String password) {
        Optional<ApiCredential> credential = ApiCredential.findForLogin(login);
        if (credential.isEmpty()) {
            hasher.verifyDummy(password);
            return Optional.empty();
        }
        if (!hasher.verify(password, credential.get().passwordHash)) {
            return Optional.empty();
        }
        return Optional.of(Identities.of(credential.get(), Caller.PASSWORD));
    }
}
