package io.callsup.admin;

import io.callsup.policy.Permission;
import io.callsup.policy.Realm;
import io.callsup.security.PasswordHasher;
import io.callsup.tenant.Account;
import io.callsup.tenant.ApiCredential;
import io.callsup.tenant.Customer;
import io.callsup.tenant.Role;
import io.callsup.web.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumSet;

/** Issues and changes API credentials; shared by the administrator and the customer endpoints. */
@ApplicationScoped
public class CredentialService {

    static final String USERNAME = "[A-Za-z0-9._@-]{3,100}";
    static final String USERNAME_RULE = "must be 3-100 characters of letters, digits, '.', '_', '@' and '-'";
    static final String FULL_ACCESS_ROLE = "Full call control";

    private final PasswordHasher hasher;

    public CredentialService(PasswordHasher hasher) {
        this.hasher = hasher;
    }

    /** {@code login} is the name that always signs this credential in: {@code username@sip-domain}. */
    public record CredentialView(long id, String username, String login, Realm realm, Long roleId, Long accountId) {
        static CredentialView of(ApiCredential c) {
            String domain = c.customerId == null ? null
                    : Customer.<Customer>findByIdOptional(c.customerId).map(x -> x.sipDomain).orElse(null);
            return new CredentialView(c.id, c.username, domain == null ? c.username : c.username + "@" + domain,
                    c.realm, c.roleId, c.accountId);
        }
    }

    /** The administrator's way in for a new customer: a manager credential holding every permission. */
    public CredentialView issueCustomerAdministrator(long customerId, String username, String password) {
        Role role = Role.<Role>find("customerId = ?1 and name = ?2", customerId, FULL_ACCESS_ROLE)
                .firstResultOptional().orElseGet(() -> {
                    Role r = new Role();
                    r.customerId = customerId;
                    r.name = FULL_ACCESS_ROLE;
                    r.permissions = EnumSet.allOf(Permission.class);
                    r.persist();
                    return r;
                });
        return issue(customerId, username, password, Realm.CUSTOMER, role.id, null);
    }

    public CredentialView issue(long customerId, String username, String password, Realm realm, long roleId,
                                Long accountId) {
        // Names are per customer: the conflict can only be with this customer's own credential.
        if (ApiCredential.taken(customerId, username)) {
            throw ProblemException.conflict("username", username + " is already used by another credential of "
                    + "this customer");
        }
        ApiCredential credential = new ApiCredential();
        credential.username = username;
        credential.customerId = customerId;
        credential.passwordHash = hasher.hash(password);
        bind(credential, customerId, realm, roleId, accountId);
        credential.persist();
        return CredentialView.of(credential);
    }

    public CredentialView change(ApiCredential credential, String password, Realm realm, long roleId, Long accountId) {
        if (password != null) {
            credential.passwordHash = hasher.hash(password);
        }
        bind(credential, credential.customerId, realm, roleId, accountId);
        return CredentialView.of(credential);
    }

    /** Realm, role and account must fit together, and role and account must be the customer's own. */
    private static void bind(ApiCredential credential, long customerId, Realm realm, long roleId, Long accountId) {
        switch (realm) {
            case ADMINISTRATOR -> throw ProblemException.invalid("realm",
                    "administrator credentials are issued by the operator, not by customers");
            case CUSTOMER -> {
                if (accountId != null) {
                    throw ProblemException.invalid("accountId", "must be absent for the CUSTOMER realm");
                }
            }
            case ACCOUNT -> {
                if (accountId == null) {
                    throw ProblemException.invalid("accountId", "is required for the ACCOUNT realm");
                }
                Account.findOwned(customerId, accountId).orElseThrow(() -> ProblemException.notFound("account", accountId));
            }
        }
        Role.findOwned(customerId, roleId).orElseThrow(() -> ProblemException.notFound("role", roleId));
        credential.realm = realm;
        credential.roleId = roleId;
        credential.accountId = accountId;
    }
}
