package io.callsup.console;

import io.callsup.policy.Permission;
import io.callsup.policy.Realm;
import io.callsup.security.ApiTokens;
import io.callsup.security.Caller;
import io.callsup.security.Roles;
import io.callsup.tenant.Account;
import io.callsup.tenant.ApiToken;
import io.callsup.tenant.AuthorisationChanged;
import io.callsup.tenant.HuntGroup;
import io.callsup.tenant.HuntGroupMember;
import io.callsup.web.ProblemException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the manager's web console (served at {@code /console/}) needs beyond the call-control API:
 * a sign-in that trades the password once for a short bearer token of the same credential, so the
 * page never keeps or resends the password, and the caller's own view of hunt groups and accounts
 * so the page shows join buttons only where the API would accept the join.
 */
@Path("/api/v1/console")
@RolesAllowed({Roles.CUSTOMER, Roles.ACCOUNT})
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Call control")
public class ConsoleResource {

    /** A console sign-in lasts a working day; the API's own token limits still apply. */
    static final Duration SIGN_IN_LIFETIME = Duration.ofHours(12);

    @RegisterForReflection
    public record GroupView(long id, String name, boolean supervisionAllowed) {
    }

    @RegisterForReflection
    public record AccountView(long accountId, String extension, String displayName) {
    }

    /**
     * @param supervisionAllowed per hunt group, whether this caller may join calls of its members:
     *                           a customer-realm caller may in every group, an account-realm caller
     *                           only where its account has 'supervision allowed'
     * @param supervisors        whose phone a join may ring: every account for a customer-realm
     *                           caller, only its own account for an account-realm caller
     */
    @RegisterForReflection
    public record Me(String username, String realm, Long accountId, boolean canRead, boolean canModify,
                     List<GroupView> huntGroups, List<AccountView> supervisors) {
    }

    @RegisterForReflection
    public record SignedIn(String token, Instant expiresAt, Me me) {
    }

    private final Caller caller;
    private final ApiTokens tokens;
    private final Event<AuthorisationChanged> authorisationChanged;

    public ConsoleResource(Caller caller, ApiTokens tokens, Event<AuthorisationChanged> authorisationChanged) {
        this.caller = caller;
        this.tokens = tokens;
        this.authorisationChanged = authorisationChanged;
    }

    @POST
    @Path("sign-in")
    @Transactional
    @Operation(operationId = "consoleSignIn", summary = "Sign in to the manager's console",
            description = "Authenticate with Basic (the credential's password) once; the answer carries a bearer "
                    + "token of the same credential for the console's later requests and its event stream.")
    @APIResponse(responseCode = "201", description = "signed in",
            content = @Content(schema = @Schema(implementation = SignedIn.class)))
    @APIResponse(responseCode = "403", description = "not password-authenticated, or the role lacks "
            + "CALL_CONTROL_READ", content = @Content(mediaType = "application/problem+json"))
    public Response signIn() {
        if (!Caller.PASSWORD.equals(caller.method())) {
            throw new ProblemException(403, "password-required", "Password required",
                    "sign in with the credential's username and password", null);
        }
        Me me = me();
        if (!me.canRead()) {
            throw new ProblemException(403, "missing-permission", "Missing permission",
                    "this credential's role lacks CALL_CONTROL_READ", null);
        }
        Duration lifetime = SIGN_IN_LIFETIME.compareTo(tokens.maxLifetime()) < 0 ? SIGN_IN_LIFETIME
                : tokens.maxLifetime();
        ApiTokens.Issued issued = tokens.issue(caller.credentialId(), caller.customerId(), "console", lifetime);
        return Response.status(Response.Status.CREATED)
                .entity(new SignedIn(issued.token(), issued.row().expiresAt, me)).build();
    }

    @POST
    @Path("sign-out")
    @Transactional
    @Operation(operationId = "consoleSignOut", summary = "Sign out of the manager's console",
            description = "Revokes every console token of the calling credential.")
    @APIResponse(responseCode = "204", description = "signed out")
    public void signOut() {
        Instant now = Instant.now();
        ApiToken.<ApiToken>list("credentialId = ?1 and name = 'console' and revokedAt is null", caller.credentialId())
                .forEach(t -> t.revokedAt = now);
        // Verified tokens are cached: the revoked ones must stop working at once, as for TokenResource.
        authorisationChanged.fire(new AuthorisationChanged(caller.customerId()));
    }

    @GET
    @Path("me")
    @Transactional
    @Operation(operationId = "consoleMe", summary = "The signed-in caller as the console shows it")
    @APIResponse(responseCode = "200", description = "the caller",
            content = @Content(schema = @Schema(implementation = Me.class)))
    public Me me() {
        long customerId = caller.customerId();
        boolean customerRealm = caller.realm() == Realm.CUSTOMER;
        Long own = caller.accountId();
        Map<Long, Boolean> allowed = own == null ? Map.of() : HuntGroupMember.listForAccounts(List.of(own)).stream()
                .collect(Collectors.toMap(m -> m.huntGroupId, m -> m.supervisionAllowed, (a, b) -> a || b));
        List<GroupView> groups = HuntGroup.listOwned(customerId).stream()
                .map(g -> new GroupView(g.id, g.name, customerRealm || allowed.getOrDefault(g.id, false))).toList();
        List<AccountView> supervisors = (customerRealm ? Account.listOwned(customerId)
                : own == null ? List.<Account>of() : Account.findOwned(customerId, own).stream().toList())
                .stream().map(a -> new AccountView(a.id, a.extension, a.displayName)).toList();
        boolean modify = caller.permissions().contains(Permission.CALL_CONTROL_MODIFY);
        return new Me(caller.username(), caller.realm().name(), own,
                modify || caller.permissions().contains(Permission.CALL_CONTROL_READ), modify, groups, supervisors);
    }
}
