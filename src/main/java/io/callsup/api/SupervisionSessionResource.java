package io.callsup.api;

import io.callsup.policy.Realm;
import io.callsup.security.Caller;
import io.callsup.security.Roles;
import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionService;
import io.callsup.supervision.SupervisionSession;
import io.callsup.model.TriggerSource;
import io.callsup.web.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

/**
 * One supervisor on one call: read it with its mode history, switch its mode or take the supervisor
 * out (the seed's {@code CallControl/update_on_spot_conference_participant}).
 */
@Path("/api/v1/supervision-sessions")
@RolesAllowed({Roles.CUSTOMER, Roles.ACCOUNT})
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Call control")
public class SupervisionSessionResource {

    private final Caller caller;
    private final SupervisionService supervision;
    private final IdempotentRequests idempotent;

    public SupervisionSessionResource(Caller caller, SupervisionService supervision, IdempotentRequests idempotent) {
        this.caller = caller;
        this.supervision = supervision;
        this.idempotent = idempotent;
    }

    @RegisterForReflection
    public record UpdateRequest(@NotNull SupervisionMode mode) {
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getSupervisionSession",
            summary = "A supervision session: state (RINGING, ACTIVE, ENDED), mode, end reason, and the history "
            + "of mode changes with who triggered each")
    public Views.SessionView get(@PathParam("id") UUID id) {
        ApiAccess.requireRead(caller);
        return QuarkusTransaction.requiringNew().call(() -> Views.SessionView.of(find(id)));
    }

    @PATCH
    @Path("{id}")
    @Operation(operationId = "switchSupervisionMode",
            summary = "Switch the supervisor's mode (seed: CallControl/update_on_spot_conference_participant)",
            description = "Judged by the rule that admitted the session, against current data. Idempotency-Key makes "
                    + "a retry answer with the first response instead of switching again.")
    @APIResponse(responseCode = "200", description = "the session after the switch",
            content = @Content(schema = @Schema(implementation = Views.SessionView.class)))
    @APIResponse(responseCode = "403", description = "missing CALL_CONTROL_MODIFY, another account's session "
            + "(account realm), or the policy no longer allows this session",
            content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "404", description = "no such session for this customer",
            content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "409", description = "the supervisor's phone is still ringing",
            content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "410", description = "the session has ended",
            content = @Content(mediaType = "application/problem+json"))
    public Response update(@PathParam("id") UUID id,
                           @Parameter(schema = @Schema(type = SchemaType.STRING, maxLength = 255))
                           @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey,
                           @Valid @NotNull UpdateRequest request) {
        ApiAccess.requireModify(caller);
        String path = "/api/v1/supervision-sessions/" + id;
        return idempotent.run(caller, idempotencyKey, "PATCH " + path, request, path, () -> {
            SupervisionSession s = QuarkusTransaction.requiringNew().call(() -> find(id));
            requireOwn(s);
            requireLive(s);
            if (s.state == SessionState.JOINING) {
                throw new ProblemException(409, "still-ringing", "Supervisor's phone still ringing",
                        "the mode can be switched once the supervisor has answered", null);
            }
            SupervisionSession after = supervision.switchMode(id, request.mode(), TriggerSource.API,
                    ApiAccess.actor(caller));
            requireLive(after);
            if (after.mode != request.mode()) {
                throw new ProblemException(403, "switch-refused", "Switch refused", "the rule that admitted this "
                        + "session no longer allows it (feature switch, permission or hunt-group flag changed)", null);
            }
            return Response.ok(QuarkusTransaction.requiringNew().call(() -> Views.SessionView.of(find(id)))).build();
        });
    }

    @DELETE
    @Path("{id}")
    @Operation(operationId = "leaveSupervisionSession",
            summary = "Take the supervisor out of the call: hangs up the supervisor's leg (or cancels it while "
            + "it rings); agent and client carry on")
    @APIResponse(responseCode = "200", description = "the ended session (also for a session that had already ended)",
            content = @Content(schema = @Schema(implementation = Views.SessionView.class)))
    public Response leave(@PathParam("id") UUID id,
                          @Parameter(schema = @Schema(type = SchemaType.STRING, maxLength = 255))
                          @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey) {
        ApiAccess.requireModify(caller);
        String path = "/api/v1/supervision-sessions/" + id;
        return idempotent.run(caller, idempotencyKey, "DELETE " + path, null, path, () -> {
            SupervisionSession s = QuarkusTransaction.requiringNew().call(() -> find(id));
            requireOwn(s);
            supervision.leave(id, EndReason.API);
            return Response.ok(QuarkusTransaction.requiringNew().call(() -> Views.SessionView.of(find(id)))).build();
        });
    }

    private SupervisionSession find(UUID id) {
        long customerId = caller.customerId();
        return SupervisionSession.<SupervisionSession>findByIdOptional(id)
                .filter(s -> s.customerId == customerId)
                .orElseThrow(() -> ProblemException.notFound("supervision session", id));
    }

    /** An account-realm credential acts only for its own account. */
    private void requireOwn(SupervisionSession s) {
        if (caller.realm() == Realm.ACCOUNT && (caller.accountId() == null || caller.accountId() != s.supervisorAccountId)) {
            throw CallControlResource.denial(io.callsup.policy.DenialReason.NOT_OWN_ACCOUNT);
        }
    }

    private static void requireLive(SupervisionSession s) {
        if (!s.live()) {
            throw new ProblemException(410, "session-ended", "Session ended", "supervision session " + s.id
                    + " has ended (" + s.endReason + ")", null);
        }
    }
}
