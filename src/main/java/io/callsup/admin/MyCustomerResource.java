package io.callsup.admin;

import io.callsup.security.Caller;
import io.callsup.security.Roles;
import io.callsup.tenant.Customer;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Read-only view of the caller's own customer, including whether the operator enabled supervision. */
@Path("/api/v1/customer")
@RolesAllowed({Roles.CUSTOMER, Roles.ACCOUNT})
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Customer: profile",
        description = "The caller's own customer, for customer- and account-realm credentials")
public class MyCustomerResource {

    private final Caller caller;

    public MyCustomerResource(Caller caller) {
        this.caller = caller;
    }

    @GET
    @Operation(operationId = "getOwnCustomer", summary = "The caller's customer")
    public CustomerAdminResource.CustomerView get() {
        return CustomerAdminResource.CustomerView.of(Customer.findById(caller.customerId()));
    }
}
