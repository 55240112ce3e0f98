package io.callsup.admin;

import io.callsup.security.Roles;
import io.callsup.tenant.Account;
import io.callsup.tenant.AuthorisationChanged;
import io.callsup.tenant.Customer;
import io.callsup.tenant.DialingRuleSettings;
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
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The operator's view: customers and their call-supervision switch. */
@Path("/api/v1/admin/customers")
@RolesAllowed(Roles.ADMINISTRATOR)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Administrator: customers",
        description = "Customers of the platform and their call-supervision switch (administrator realm)")
public class CustomerAdminResource {

    @jakarta.inject.Inject
    jakarta.enterprise.event.Event<AuthorisationChanged> authorisationChanged;
    @jakarta.inject.Inject
    io.callsup.supervision.SupervisionService supervision;

    private final CredentialService credentials;

    public CustomerAdminResource(CredentialService credentials) {
        this.credentials = credentials;
    }

    public record CustomerRequest(
            @NotBlank @Size(max = 200) String name,
            @NotBlank @Size(max = 253)
            @Pattern(regexp = "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*",
                    message = "must be a lower-case DNS name such as abc.pbx.example")
            String sipDomain,
            boolean supervisionEnabled,
            // Optional: show the client's number in audit events (default masked); omitted on update = unchanged.
            Boolean showClientNumber) {
    }

    public record SupervisionSwitch(@NotNull Boolean enabled) {
    }

    public record CustomerView(long id, String name, String sipDomain, boolean supervisionEnabled,
                               boolean showClientNumber, Instant createdAt) {
        static CustomerView of(Customer c) {
            return new CustomerView(c.id, c.name, c.sipDomain, c.supervisionEnabled, c.showClientNumber, c.createdAt);
        }
    }

    public record AdminCredentialRequest(
            @NotBlank @Pattern(regexp = CredentialService.USERNAME, message = CredentialService.USERNAME_RULE) String username,
            @NotBlank @Size(min = 12, max = 128) String password) {
    }

    @GET
    @Operation(operationId = "listCustomers", summary = "List customers")
    public List<CustomerView> list() {
        return Customer.<Customer>listAll().stream().map(CustomerView::of).toList();
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getCustomer", summary = "One customer")
    public CustomerView get(@PathParam("id") long id) {
        return CustomerView.of(find(id));
    }

    @POST
    @Transactional
    @Operation(operationId = "createCustomer",
            summary = "Create a customer; call supervision starts switched off unless asked for")
    @APIResponse(responseCode = "201", description = "the customer; Location names it",
            content = @Content(schema = @Schema(implementation = CustomerView.class)),
            headers = @Header(name = "Location", description = "path of the created object",
                    schema = @Schema(type = SchemaType.STRING)))
    public Response create(@Valid @NotNull CustomerRequest request) {
        requireFreeDomain(request.sipDomain(), null);
        Customer customer = new Customer();
        apply(customer, request);
        customer.persist();
        DialingRuleSettings.defaultsFor(customer.id).persist();
        Customer.getEntityManager().flush();
        Customer.getEntityManager().refresh(customer);
        return Response.created(URI.create("/api/v1/admin/customers/" + customer.id))
                .entity(CustomerView.of(customer)).build();
    }

    @PUT
    @Path("{id}")
    @Transactional
    @Operation(operationId = "updateCustomer", summary = "Update a customer")
    public CustomerView update(@PathParam("id") long id, @Valid @NotNull CustomerRequest request) {
        Customer customer = find(id);
        requireFreeDomain(request.sipDomain(), id);
        if (!customer.sipDomain.equals(request.sipDomain()) && Account.count("customerId", id) > 0) {
            throw ProblemException.conflict("sipDomain",
                    "cannot change while the customer has accounts: their SIP digest HA1 is bound to the domain");
        }
        apply(customer, request);
        return CustomerView.of(customer);
    }

    @PUT
    @Path("{id}/supervision")
    @Transactional
    @Operation(operationId = "setCustomerSupervision", summary = "Switch call supervision on or off for a customer")
    public CustomerView setSupervision(@PathParam("id") long id, @Valid @NotNull SupervisionSwitch request) {
        Customer customer = find(id);
        customer.supervisionEnabled = request.enabled();
        authorisationChanged.fire(new AuthorisationChanged(customer.id));
        return CustomerView.of(customer);
    }

    @DELETE
    @Path("{id}")
    @Transactional
    @Operation(operationId = "deleteCustomer",
            summary = "Delete a customer and everything it owns; its live supervision sessions end as revoked")
    public void delete(@PathParam("id") long id) {
        Customer customer = find(id);
        supervision.revokeBeforeDeletion(customer.id, null);
        customer.delete();
        authorisationChanged.fire(new AuthorisationChanged(id));
    }

    @POST
    @Path("{id}/credentials")
    @Transactional
    @Operation(operationId = "issueCustomerCredential",
            summary = "Issue a customer-realm credential with full call-control permissions")
    @APIResponse(responseCode = "201", description = "the credential (the password is never shown again)",
            content = @Content(schema = @Schema(implementation = CredentialService.CredentialView.class)))
    public Response issueCustomerCredential(@PathParam("id") long id, @Valid @NotNull AdminCredentialRequest request) {
        find(id);
        CredentialService.CredentialView view = credentials.issueCustomerAdministrator(id, request.username(), request.password());
        return Response.status(Response.Status.CREATED).entity(view).build();
    }

    private static Customer find(long id) {
        return Customer.<Customer>findByIdOptional(id).orElseThrow(() -> ProblemException.notFound("customer", id));
    }

    private static void requireFreeDomain(String sipDomain, Long self) {
        Customer.findBySipDomain(sipDomain).filter(c -> !c.id.equals(self)).ifPresent(c -> {
            throw ProblemException.conflict("sipDomain", sipDomain + " is already used by another customer");
        });
    }

    private static void apply(Customer customer, CustomerRequest request) {
        customer.name = request.name().strip();
        customer.sipDomain = request.sipDomain();
        customer.supervisionEnabled = request.supervisionEnabled();
        if (request.showClientNumber() != null) {
            customer.showClientNumber = request.showClientNumber();
        }
    }
}
