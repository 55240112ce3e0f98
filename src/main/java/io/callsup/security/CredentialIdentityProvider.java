package io.callsup.security;

import io.callsup.policy.Permission;
import io.callsup.tenant.ApiCredential;
import io.callsup.tenant.Role;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Checks HTTP Basic credentials against {@link ApiCredential} rows and says who the caller is. */
@ApplicationScoped
public class CredentialIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private final PasswordHasher hasher;

    public CredentialIdentityProvider(PasswordHasher hasher) {
        this.hasher = hasher;
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
                                              AuthenticationRequestContext context) {
        return context.runBlocking(() -> QuarkusTransaction.requiringNew().call(() -> identify(request)));
    }

    private SecurityIdentity identify(UsernamePasswordAuthenticationRequest request) {
        String password = new String(request.getPassword().getPassword());
        ApiCredential credential = ApiCredential.findByUsername(request.getUsername())
                .filter(c -> hasher.verify(password, c.passwordHash))
                // One message for unknown user and wrong password, so usernames cannot be probed.
                .orElseThrow(() -> new AuthenticationFailedException("invalid credentials"));
        Set<Permission> permissions = credential.roleId == null
                ? EnumSet.noneOf(Permission.class)
                : Role.<Role>findByIdOptional(credential.roleId).map(Role::permissionSet)
                .orElse(EnumSet.noneOf(Permission.class));
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(credential.username))
                .addRole(credential.realm.name().toLowerCase(Locale.ROOT))
                .addAttribute(Caller.CREDENTIAL_ID, credential.id)
                .addAttribute(Caller.REALM, credential.realm)
                .addAttribute(Caller.PERMISSIONS, permissions);
        if (credential.customerId != null) {
            identity.addAttribute(Caller.CUSTOMER_ID, credential.customerId);
        }
        if (credential.accountId != null) {
            identity.addAttribute(Caller.ACCOUNT_ID, credential.accountId);
        }
        return identity.build();
    }
}
