package io.callsup.admin;

import io.callsup.policy.Realm;
import io.callsup.security.Caller;
import io.callsup.security.Roles;
import io.callsup.tenant.ApiCredential;
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
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** API credentials of the caller's own customer, for its applications and extensions. */
@Path("/api/v1/customer/credentials")
@RolesAllowed(Roles.CUSTOMER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Customer: API credentials",
        description = "API credentials of the caller's customer and the bearer tokens issued for them")
public class CredentialResource {

    @jakarta.inject.Inject
    jakarta.enterprise.event.Event<AuthorisationChanged> authorisationChanged;

    private final Caller caller;
    private final CredentialService credentials;

    public CredentialResource(Caller caller, CredentialService credentials) {
        this.caller = caller;
        this.credentials = credentials;
    }

    public record CredentialRequest(
            @NotBlank @Pattern(regexp = CredentialService.USERNAME, message = CredentialService.USERNAME_RULE) String username,
            @NotBlank @Size(min = 12, max = 128) String password,
            @NotNull Realm realm,
            @NotNull Long roleId,
            Long accountId) {
    }

    /** The password may be omitted to keep the current one. */
    public record CredentialUpdate(
            @Size(min = 12, max = 128) String password,
            @NotNull Realm realm,
            @NotNull Long roleId,
            Long accountId) {
    }

    @GET
    @Operation(operationId = "listCredentials", summary = "List API credentials")
    public List<CredentialService.CredentialView> list() {
        return ApiCredential.listOwned(caller.customerId()).stream().map(CredentialService.CredentialView::of).toList();
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getCredential", summary = "One API credential")
    public CredentialService.CredentialView get(@PathParam("id") long id) {
        return CredentialService.CredentialView.of(find(id));
    }

    @POST
    @Transactional
    @Operation(operationId = "createCredential", summary = "Issue a credential in the CUSTOMER or ACCOUNT realm")
    @APIResponse(responseCode = "201", description = "the credential (the password is never shown again)",
            content = @Content(schema = @Schema(implementation = CredentialService.CredentialView.class)))
    public Response create(@Valid @NotNull CredentialRequest request) {
        var view = credentials.issue(caller.customerId(), request.username(), request.password(), request.realm(),
                request.roleId(), request.accountId());
        return Response.status(Response.Status.CREATED).entity(view).build();
    }

    @PUT
    @Path("{id}")
    @Transactional
    @Operation(operationId = "updateCredential", summary = "Update an API credential")
    public CredentialService.CredentialView update(@PathParam("id") long id, @Valid @NotNull CredentialUpdate request) {
        CredentialService.CredentialView changed = credentials.change(find(id), request.password(), request.realm(),
                request.roleId(), request.accountId());
        authorisationChanged.fire(new AuthorisationChanged(caller.customerId()));
        return changed;
    }

    @DELETE
    @Path("{id}")
    @Transactional
    @Operation(operationId = "deleteCredential", summary = "Delete an API credential")
    public void delete(@PathParam("id") long id) {
        ApiCredential credential = find(id);
        if (credential.id == caller.credentialId()) {
            throw ProblemException.conflict("id", "a credential cannot delete itself; use another customer credential");
        }
        credential.delete();
        authorisationChanged.fire(new AuthorisationChanged(caller.customerId()));
    }

    private ApiCredential find(long id) {
        return ApiCredential.findOwned(caller.customerId(), id).orElseThrow(() -> ProblemException.notFound("credential", id));
    }
}
