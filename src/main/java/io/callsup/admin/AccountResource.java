package io.callsup.admin;

import io.callsup.dialplan.DialingRuleValidator;
import io.callsup.security.Caller;
import io.callsup.security.PasswordHasher;
import io.callsup.security.Roles;
import io.callsup.tenant.Account;
import io.callsup.tenant.AuthorisationChanged;
import io.callsup.tenant.Customer;
import io.callsup.web.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The extensions of the caller's own customer. */
@Path("/api/v1/customer/accounts")
@RolesAllowed(Roles.CUSTOMER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Customer: accounts",
        description = "Extensions of the caller's customer with their SIP digest credentials")
public class AccountResource {

    @jakarta.inject.Inject
    jakarta.enterprise.event.Event<AuthorisationChanged> authorisationChanged;
    @jakarta.inject.Inject
    io.callsup.supervision.SupervisionService supervision;

    private final Caller caller;

    public AccountResource(Caller caller) {
        this.caller = caller;
    }

    /** On update the SIP password may be omitted to keep the current digest credentials. */
    public record AccountRequest(
            @NotBlank @Pattern(regexp = "[0-9]{1,15}", message = "must be 1-15 digits") String extension,
            @NotBlank @Size(max = 200) String displayName,
            @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]{1,64}",
                    message = "must be 1-64 characters of letters, digits, '.', '_' and '-'") String sipUsername,
            @Size(min = 8, max = 128) String sipPassword) {
    }

    public record AccountView(long id, String extension, String displayName, String sipUsername) {
        static AccountView of(Account a) {
            return new AccountView(a.id, a.extension, a.displayName, a.sipUsername);
        }
    }

    @GET
    @Operation(operationId = "listAccounts", summary = "List extensions")
    public List<AccountView> list() {
        return Account.listOwned(caller.customerId()).stream().map(AccountView::of).toList();
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getAccount", summary = "One extension")
    public AccountView get(@PathParam("id") long id) {
        return AccountView.of(find(id));
    }

    @POST
    @Transactional
    @Operation(operationId = "createAccount", summary = "Create an extension with its SIP digest credentials")
    @APIResponse(responseCode = "201", description = "the extension; Location names it",
            content = @Content(schema = @Schema(implementation = AccountView.class)),
            headers = @Header(name = "Location", description = "path of the created object",
                    schema = @Schema(type = SchemaType.STRING)))
    public Response create(@Valid @NotNull AccountRequest request) {
        if (request.sipPassword() == null) {
            throw ProblemException.invalid("sipPassword", "is required for a new account");
        }
        Account account = new Account();
        account.customerId = caller.customerId();
        apply(account, request);
        account.persist();
        return Response.created(URI.create("/api/v1/customer/accounts/" + account.id))
                .entity(AccountView.of(account)).build();
    }

    @PUT
    @Path("{id}")
    @Transactional
    @Operation(operationId = "updateAccount", summary = "Update an extension")
    public AccountView update(@PathParam("id") long id, @Valid @NotNull AccountRequest request) {
        Account account = find(id);
        if (request.sipPassword() == null && !account.sipUsername.equals(request.sipUsername())) {
            throw ProblemException.invalid("sipPassword",
                    "is required when sipUsername changes: the digest HA1 is computed from both");
        }
        apply(account, request);
        return AccountView.of(account);
    }

    @DELETE
    @Path("{id}")
    @Transactional
    @Operation(operationId = "deleteAccount",
            summary = "Delete an extension, its hunt-group memberships and its account-realm credentials")
    public void delete(@PathParam("id") long id) {
        Account account = find(id);
        supervision.revokeBeforeDeletion(caller.customerId(), account.id);
        account.delete();
        authorisationChanged.fire(new AuthorisationChanged(caller.customerId()));
    }

    private Account find(long id) {
        return Account.findOwned(caller.customerId(), id).orElseThrow(() -> ProblemException.notFound("account", id));
    }

    private void apply(Account account, AccountRequest request) {
        long customerId = caller.customerId();
        Account.findByExtension(customerId, request.extension()).filter(a -> !a.id.equals(account.id)).ifPresent(a -> {
            throw ProblemException.conflict("extension", request.extension() + " is already used by another account");
        });
        Account.findBySipUsername(customerId, request.sipUsername()).filter(a -> !a.id.equals(account.id)).ifPresent(a -> {
            throw ProblemException.conflict("sipUsername", request.sipUsername() + " is already used by another account");
        });
        var shadowed = DialingRuleValidator.shadowedExtensions(DialingRuleResource.settingsOf(customerId).effective(),
                List.of(request.extension()));
        if (!shadowed.isEmpty()) {
            throw ProblemException.conflict("extension", shadowed.get(0).message());
        }
        account.extension = request.extension();
        account.displayName = request.displayName().strip();
        account.sipUsername = request.sipUsername();
        if (request.sipPassword() != null) {
            String domain = Customer.<Customer>findById(customerId).sipDomain;
            account.ha1 = PasswordHasher.ha1(request.sipUsername(), domain, request.sipPassword());
            account.ha1b = PasswordHasher.ha1b(request.sipUsername(), domain, request.sipPassword());
        }
    }
}
