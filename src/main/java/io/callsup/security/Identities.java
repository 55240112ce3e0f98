package io.callsup.security;

import io.callsup.policy.Permission;
import io.callsup.tenant.ApiCredential;
import io.callsup.tenant.Role;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The identity of a credential, the same whether it signed in with its password or a token. */
final class Identities {

    private Identities() {
    }

    /** Inside a transaction: reads the credential's role. */
    static SecurityIdentity of(ApiCredential credential, String method) {
        Set<Permission> permissions = credential.roleId == null
                ? EnumSet.noneOf(Permission.class)
                : Role.<Role>findByIdOptional(credential.roleId).map(Role::permissionSet)
                .orElse(EnumSet.noneOf(Permission.class));
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(credential.username))
                .addRole(credential.realm.name().toLowerCase(Locale.ROOT))
                .addAttribute(Caller.CREDENTIAL_ID, credential.id)
                .addAttribute(Caller.REALM, credential.realm)
                .addAttribute(Caller.PERMISSIONS, permissions)
                .addAttribute(Caller.METHOD, method);
        if (credential.customerId != null) {
            identity.addAttribute(Caller.CUSTOMER_ID, credential.customerId);
        }
        if (credential.accountId != null) {
            identity.addAttribute(Caller.ACCOUNT_ID, credential.accountId);
        }
        return identity.build();
    }
}
