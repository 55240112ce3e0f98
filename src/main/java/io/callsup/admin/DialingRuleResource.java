package io.callsup.admin;

import io.callsup.dialplan.DialingRule;
import io.callsup.dialplan.DialingRuleValidator;
import io.callsup.security.Caller;
import io.callsup.security.Roles;
import io.callsup.tenant.Account;
import io.callsup.tenant.Customer;
import io.callsup.tenant.DialingRuleSettings;
import io.callsup.web.Problem;
import io.callsup.web.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The caller's supervision service codes: the default rule or its own custom PBX rule. */
@Path("/api/v1/customer/dialing-rule")
@RolesAllowed(Roles.CUSTOMER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Customer: dialing rule",
        description = "The codes phones dial to supervise a colleague and to switch mode")
public class DialingRuleResource {

    private final Caller caller;

    public DialingRuleResource(Caller caller) {
        this.caller = caller;
    }

    public enum Kind { DEFAULT, CUSTOM }

    /** {@code custom} may be omitted to switch kinds without touching the stored custom codes. */
    public record DialingRuleUpdate(@NotNull Kind kind, DialingRule custom) {
    }

    public record DialingRuleView(Kind kind, DialingRule effective, DialingRule custom, DialingRule defaults) {
        static DialingRuleView of(DialingRuleSettings s) {
            return new DialingRuleView(s.useCustom ? Kind.CUSTOM : Kind.DEFAULT, s.effective(), s.custom(),
                    DialingRule.DEFAULT);
        }
    }

    @GET
    @Operation(operationId = "getDialingRule", summary = "The effective rule, the stored custom codes and the defaults")
    public DialingRuleView get() {
        return DialingRuleView.of(settingsOf(caller.customerId()));
    }

    @PUT
    @Transactional
    @Operation(operationId = "updateDialingRule",
            summary = "Choose the default or the custom rule, optionally replacing the custom codes")
    public DialingRuleView update(@Valid @NotNull DialingRuleUpdate request) {
        long customerId = caller.customerId();
        DialingRuleSettings settings = settingsOf(customerId);
        if (request.custom() != null) {
            List<Problem.Violation> violations = DialingRuleValidator.validate(request.custom()).stream()
                    .map(v -> new Problem.Violation("custom." + v.field(), v.message())).toList();
            if (!violations.isEmpty()) {
                throw ProblemException.invalid(violations);
            }
            var extensions = Account.listOwned(customerId).stream().map(a -> a.extension).toList();
            var shadowed = DialingRuleValidator.shadowedExtensions(request.custom(), extensions);
            if (!shadowed.isEmpty()) {
                throw ProblemException.conflict("custom." + shadowed.get(0).field(), shadowed.get(0).message());
            }
            settings.setCustom(request.custom());
        }
        // Omitting custom re-uses stored codes; a customer that never stored any has nothing to switch to.
        if (request.kind() == Kind.CUSTOM && request.custom() == null && settings.custom().equals(DialingRule.DEFAULT)
                && !settings.useCustom) {
            throw ProblemException.invalid("custom", "is required: no custom codes are stored yet");
        }
        settings.useCustom = request.kind() == Kind.CUSTOM;
        return DialingRuleView.of(settings);
    }

    /** Every customer has a row from creation on; a missing one is a broken invariant, not a 404. */
    static DialingRuleSettings settingsOf(long customerId) {
        return DialingRuleSettings.<DialingRuleSettings>findByIdOptional(customerId)
                .orElseThrow(() -> new IllegalStateException("customer " + customerId + " has no dialing_rule row"));
    }
}
