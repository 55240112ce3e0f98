package io.callsup.security;

import io.callsup.policy.Permission;
import io.callsup.policy.Realm;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;

import java.util.Set;

/**
 * The authenticated caller of this request, as the rest of the code needs it. Tenant-scoped
 * resources take the customer from here and never from the request, so a customer can only
 * ever name its own data.
 */
@RequestScoped
public class Caller {

    static final String CREDENTIAL_ID = "callsup.credentialId";
    static final String REALM = "callsup.realm";
    static final String CUSTOMER_ID = "callsup.customerId";
    static final String ACCOUNT_ID = "callsup.accountId";
    static final String PERMISSIONS = "callsup.permissions";
    static final String METHOD = "callsup.method";
    public static final String PASSWORD = "password";
    public static final String TOKEN = "token";

    private final SecurityIdentity identity;

    public Caller(SecurityIdentity identity) {
        this.identity = identity;
    }

    public Realm realm() {
        return identity.getAttribute(REALM);
    }

    /** The caller's customer; fails closed for a credential that has none. */
    public long customerId() {
        Long id = identity.getAttribute(CUSTOMER_ID);
        if (id == null) {
            throw new ForbiddenException("credential belongs to no customer");
        }
        return id;
    }

    public Long accountId() {
        return identity.getAttribute(ACCOUNT_ID);
    }

    public long credentialId() {
        return identity.getAttribute(CREDENTIAL_ID);
    }

    public Set<Permission> permissions() {
        Set<Permission> permissions = identity.getAttribute(PERMISSIONS);
        return permissions == null ? Set.of() : permissions;
    }

    /** {@link #PASSWORD} or {@link #TOKEN}: how this request proved who it is. */
    public String method() {
        return identity.getAttribute(METHOD);
    }

    public String username() {
        return identity.getPrincipal().getName();
    }
}
