package io.callsup.admin;

import io.callsup.policy.Permission;
import io.callsup.security.Caller;
import io.callsup.security.Roles;
import io.callsup.tenant.ApiCredential;
import io.callsup.tenant.AuthorisationChanged;
import io.callsup.tenant.Customer;
import io.callsup.tenant.Role;
import io.callsup.web.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
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
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Roles of the caller's own customer: named sets of permissions for API credentials. */
@Path("/api/v1/customer/roles")
@RolesAllowed(Roles.CUSTOMER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Customer: roles",
        description = "Named permission sets for API credentials (CALL_CONTROL_READ, CALL_CONTROL_MODIFY)")
public class RoleResource {

    @jakarta.inject.Inject
    jakarta.enterprise.event.Event<AuthorisationChanged> authorisationChanged;

    private final Caller caller;

    public RoleResource(Caller caller) {
        this.caller = caller;
    }

    public record RoleRequest(@NotBlank @Size(max = 100) String name, @NotNull Set<@NotNull Permission> permissions) {
    }

    public record RoleView(long id, String name, Set<Permission> permissions) {
        static RoleView of(Role r) {
            return new RoleView(r.id, r.name, r.permissionSet());
        }
    }

    @GET
    @Operation(operationId = "listRoles", summary = "List roles")
    public List<RoleView> list() {
        return Role.listOwned(caller.customerId()).stream().map(RoleView::of).toList();
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getRole", summary = "One role")
    public RoleView get(@PathParam("id") long id) {
        return RoleView.of(find(id));
    }

    @POST
    @Transactional
    @Operation(operationId = "createRole", summary = "Create a role")
    @APIResponse(responseCode = "201", description = "the role; Location names it",
            content = @Content(schema = @Schema(implementation = RoleView.class)),
            headers = @Header(name = "Location", description = "path of the created object",
                    schema = @Schema(type = SchemaType.STRING)))
    public Response create(@Valid @NotNull RoleRequest request) {
        Role role = new Role();
        role.customerId = caller.customerId();
        apply(role, request);
        role.persist();
        return Response.created(URI.create("/api/v1/customer/roles/" + role.id)).entity(RoleView.of(role)).build();
    }

    @PUT
    @Path("{id}")
    @Transactional
    @Operation(operationId = "updateRole", summary = "Replace a role's name and permissions")
    public RoleView update(@PathParam("id") long id, @Valid @NotNull RoleRequest request) {
        Role role = find(id);
        apply(role, request);
        authorisationChanged.fire(new AuthorisationChanged(caller.customerId()));
        return RoleView.of(role);
    }

    @DELETE
    @Path("{id}")
    @Transactional
    @Operation(operationId = "deleteRole", summary = "Delete a role that no credential uses")
    public void delete(@PathParam("id") long id) {
        Role role = find(id);
        if (ApiCredential.roleInUse(role.id)) {
            throw ProblemException.conflict("id", "role " + id + " is still held by credentials; reassign them first");
        }
        role.delete();
    }

    private Role find(long id) {
        return Role.findOwned(caller.customerId(), id).orElseThrow(() -> ProblemException.notFound("role", id));
    }

    private void apply(Role role, RoleRequest request) {
        String name = request.name().strip();
        Role.<Role>find("customerId = ?1 and name = ?2", caller.customerId(), name).firstResultOptional()
                .filter(r -> !r.id.equals(role.id)).ifPresent(r -> {
                    throw ProblemException.conflict("name", "a role named '" + name + "' already exists");
                });
        role.name = name;
        role.permissions.clear();
        role.permissions.addAll(request.permissions().isEmpty()
                ? EnumSet.noneOf(Permission.class) : EnumSet.copyOf(request.permissions()));
    }
}
