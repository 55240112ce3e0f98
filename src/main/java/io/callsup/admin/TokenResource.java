package io.callsup.admin;

import io.callsup.security.ApiTokens;
import io.callsup.security.Caller;
import io.callsup.security.Roles;
import io.callsup.tenant.ApiCredential;
import io.callsup.tenant.ApiToken;
import io.callsup.tenant.AuthorisationChanged;
import io.callsup.web.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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

/**
 * Bearer tokens of the customer's own credentials: a CRM sends {@code Authorization: Bearer <token>}
 * instead of a password on every request. A token acts exactly as its credential (realm, role,
 * account) and dies with it.
 */
@Path("/api/v1/customer/credentials/{credentialId}/tokens")
@RolesAllowed(Roles.CUSTOMER)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Customer: API credentials",
        description = "API credentials of the caller's customer and the bearer tokens issued for them")
public class TokenResource {

    private final Caller caller;
    private final ApiTokens tokens;
    private final Event<AuthorisationChanged> authorisationChanged;

    public TokenResource(Caller caller, ApiTokens tokens, Event<AuthorisationChanged> authorisationChanged) {
        this.caller = caller;
        this.tokens = tokens;
        this.authorisationChanged = authorisationChanged;
    }

    public record TokenRequest(
            @NotBlank @Size(max = 100) @Pattern(regexp = "[^\\p{Cntrl}]*", message = "must not contain control characters")
            String name,
            @Min(1) @Max(3650) Integer lifetimeDays) {
    }

    public record TokenView(long id, long credentialId, String name, Instant createdAt, Instant expiresAt,
                            Instant revokedAt) {
        static TokenView of(ApiToken t) {
            return new TokenView(t.id, t.credentialId, t.name, t.createdAt, t.expiresAt, t.revokedAt);
        }
    }

    /** The only answer that ever carries the token itself. */
    public record IssuedToken(long id, long credentialId, String name, Instant expiresAt, String token) {
    }

    @POST
    @Transactional
    @Operation(operationId = "issueToken", summary = "Issue a bearer token for a credential of this customer",
            description = "The token is shown once. Issuing needs password authentication: a token cannot mint tokens.")
    @APIResponse(responseCode = "201", description = "the token, shown only in this answer",
            content = @Content(schema = @Schema(implementation = IssuedToken.class)))
    public Response issue(@PathParam("credentialId") long credentialId, @Valid @NotNull TokenRequest request) {
        if (!Caller.PASSWORD.equals(caller.method())) {
            throw new ProblemException(403, "password-required", "Password required",
                    "tokens are issued only to password-authenticated requests", null);
        }
        ApiCredential credential = find(credentialId);
        Duration lifetime = request.lifetimeDays() == null ? null : Duration.ofDays(request.lifetimeDays());
        if (lifetime != null && lifetime.compareTo(tokens.maxLifetime()) > 0) {
            throw ProblemException.invalid("lifetimeDays", "must be at most " + tokens.maxLifetime().toDays());
        }
        ApiTokens.Issued issued = tokens.issue(credential.id, credential.customerId, request.name(), lifetime);
        return Response.status(Response.Status.CREATED).entity(new IssuedToken(issued.row().id, credential.id,
                issued.row().name, issued.row().expiresAt, issued.token())).build();
    }

    @GET
    @Operation(operationId = "listTokens", summary = "Tokens issued for a credential")
    public List<TokenView> list(@PathParam("credentialId") long credentialId) {
        return ApiToken.listOf(find(credentialId).id).stream().map(TokenView::of).toList();
    }

    @DELETE
    @Path("{tokenId}")
    @Transactional
    @Operation(operationId = "revokeToken",
            summary = "Revoke a token; it stops working at once on every replica's next cache expiry or sooner")
    public void revoke(@PathParam("credentialId") long credentialId, @PathParam("tokenId") long tokenId) {
        ApiToken token = ApiToken.findOf(find(credentialId).id, tokenId)
                .orElseThrow(() -> ProblemException.notFound("token", tokenId));
        if (token.revokedAt == null) {
            token.revokedAt = Instant.now();
        }
        authorisationChanged.fire(new AuthorisationChanged(caller.customerId()));
    }

    private ApiCredential find(long credentialId) {
        return ApiCredential.findOwned(caller.customerId(), credentialId)
                .orElseThrow(() -> ProblemException.notFound("credential", credentialId));
    }
}
