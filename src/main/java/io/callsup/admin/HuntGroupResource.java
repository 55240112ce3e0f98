package io.callsup.admin;

import io.callsup.security.Caller;
import io.callsup.security.Roles;
import io.callsup.tenant.Account;
import io.callsup.tenant.AuthorisationChanged;
import io.callsup.tenant.Customer;
import io.callsup.tenant.HuntGroup;
import io.callsup.tenant.HuntGroupMember;
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
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Hunt groups of the caller's own customer and who in them may supervise the others. */
@Path("/api/v1/customer/hunt-groups")
@RolesAllowed(Roles.CUSTOMER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Customer: hunt groups",
        description = "Hunt groups and their members; 'supervision allowed' is set per member")
public class HuntGroupResource {

    @jakarta.inject.Inject
    jakarta.enterprise.event.Event<AuthorisationChanged> authorisationChanged;

    private final Caller caller;

    public HuntGroupResource(Caller caller) {
        this.caller = caller;
    }

    public record HuntGroupRequest(@NotBlank @Size(max = 200) String name) {
    }

    public record MemberRequest(@NotNull Boolean supervisionAllowed) {
    }

    public record MemberView(long accountId, String extension, String displayName, boolean supervisionAllowed) {
    }

    public record HuntGroupView(long id, String name, List<MemberView> members) {
    }

    @GET
    @Operation(operationId = "listHuntGroups", summary = "List hunt groups")
    public List<HuntGroupView> list() {
        return HuntGroup.listOwned(caller.customerId()).stream().map(this::view).toList();
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getHuntGroup", summary = "One hunt group with its members")
    public HuntGroupView get(@PathParam("id") long id) {
        return view(find(id));
    }

    @POST
    @Transactional
    @Operation(operationId = "createHuntGroup", summary = "Create a hunt group")
    @APIResponse(responseCode = "201", description = "the hunt group; Location names it",
            content = @Content(schema = @Schema(implementation = HuntGroupView.class)),
            headers = @Header(name = "Location", description = "path of the created object",
                    schema = @Schema(type = SchemaType.STRING)))
    public Response create(@Valid @NotNull HuntGroupRequest request) {
        HuntGroup group = new HuntGroup();
        group.customerId = caller.customerId();
        rename(group, request.name());
        group.persist();
        return Response.created(URI.create("/api/v1/customer/hunt-groups/" + group.id)).entity(view(group)).build();
    }

    @PUT
    @Path("{id}")
    @Transactional
    @Operation(operationId = "updateHuntGroup", summary = "Rename a hunt group")
    public HuntGroupView update(@PathParam("id") long id, @Valid @NotNull HuntGroupRequest request) {
        HuntGroup group = find(id);
        rename(group, request.name());
        return view(group);
    }

    @DELETE
    @Path("{id}")
    @Transactional
    @Operation(operationId = "deleteHuntGroup", summary = "Delete a hunt group")
    public void delete(@PathParam("id") long id) {
        find(id).delete();
        authorisationChanged.fire(new AuthorisationChanged(caller.customerId()));
    }

    @GET
    @Path("{id}/members")
    @Operation(operationId = "listHuntGroupMembers", summary = "Members of a hunt group")
    public List<MemberView> members(@PathParam("id") long id) {
        return view(find(id)).members();
    }

    @PUT
    @Path("{id}/members/{accountId}")
    @Transactional
    @Operation(operationId = "putHuntGroupMember",
            summary = "Add an account to the group, or change its 'supervision allowed' flag")
    public MemberView putMember(@PathParam("id") long id, @PathParam("accountId") long accountId,
                                @Valid @NotNull MemberRequest request) {
        HuntGroup group = find(id);
        Account account = Account.findOwned(caller.customerId(), accountId)
                .orElseThrow(() -> ProblemException.notFound("account", accountId));
        HuntGroupMember member = HuntGroupMember.findMember(group.id, account.id).orElseGet(() -> {
            HuntGroupMember m = new HuntGroupMember();
            m.huntGroupId = group.id;
            m.accountId = account.id;
            m.persist();
            return m;
        });
        member.supervisionAllowed = request.supervisionAllowed();
        authorisationChanged.fire(new AuthorisationChanged(caller.customerId()));
        return new MemberView(account.id, account.extension, account.displayName, member.supervisionAllowed);
    }

    @DELETE
    @Path("{id}/members/{accountId}")
    @Transactional
    @Operation(operationId = "removeHuntGroupMember", summary = "Remove an account from a hunt group")
    public void removeMember(@PathParam("id") long id, @PathParam("accountId") long accountId) {
        HuntGroup group = find(id);
        HuntGroupMember.findMember(group.id, accountId)
                .orElseThrow(() -> ProblemException.notFound("member", accountId)).delete();
        authorisationChanged.fire(new AuthorisationChanged(caller.customerId()));
    }

    private HuntGroup find(long id) {
        return HuntGroup.findOwned(caller.customerId(), id).orElseThrow(() -> ProblemException.notFound("hunt group", id));
    }

    private void rename(HuntGroup group, String name) {
        String clean = name.strip();
        HuntGroup.<HuntGroup>find("customerId = ?1 and name = ?2", caller.customerId(), clean).firstResultOptional()
                .filter(g -> !g.id.equals(group.id)).ifPresent(g -> {
                    throw ProblemException.conflict("name", "a hunt group named '" + clean + "' already exists");
                });
        group.name = clean;
    }

    private HuntGroupView view(HuntGroup group) {
        List<MemberView> members = HuntGroupMember.listForGroup(group.id).stream().map(m -> {
            Account a = Account.findById(m.accountId);
            return new MemberView(a.id, a.extension, a.displayName, m.supervisionAllowed);
        }).toList();
        return new HuntGroupView(group.id, group.name, members);
    }
}
