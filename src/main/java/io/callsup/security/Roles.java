package io.callsup.security;

/** The security roles a credential's realm grants; used in {@code @RolesAllowed}. */
public final class Roles {
    public static final String ADMINISTRATOR = "administrator";
    public static final String CUSTOMER = "customer";
    public static final String ACCOUNT = "account";

    private Roles() {
    }
}
