package io.callsup.api;

import io.callsup.calls.ActiveCall;
import io.callsup.calls.CallRegistry;
import io.callsup.policy.DenialReason;
import io.callsup.security.Caller;
import io.callsup.security.Roles;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionService;
import io.callsup.supervision.SupervisionSession;
import io.callsup.kamailio.KamailioConfig;
import io.callsup.media.MediaConfig;
import io.callsup.tenant.Account;
import io.callsup.tenant.HuntGroupMember;
import io.callsup.web.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Calls in progress of the caller's customer, and joining one as a supervisor (the seed's
 * {@code CallControl/join_to_active_call}).
 */
@Path("/api/v1/calls")
@RolesAllowed({Roles.CUSTOMER, Roles.ACCOUNT})
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Call control", description = "Calls in progress and supervision by applications "
        + "(seed: CallControl/join_to_active_call, CallControl/update_on_spot_conference_participant)")
public class CallControlResource {

    private final Caller caller;
    private final SupervisionService supervision;
    private final IdempotentRequests idempotent;
    private final KamailioConfig kamailio;
    private final MediaConfig media;

    public CallControlResource(Caller caller, SupervisionService supervision, IdempotentRequests idempotent,
                               KamailioConfig kamailio, MediaConfig media) {
        this.caller = caller;
        this.supervision = supervision;
        this.idempotent = idempotent;
        this.kamailio = kamailio;
        this.media = media;
    }

    @RegisterForReflection
    public record JoinRequest(
            @NotNull Long supervisorAccountId,
            @NotNull SupervisionMode mode,
            @Min(5) @Max(120) Integer ringTimeoutSeconds) {
    }

    @GET
    @Operation(operationId = "listCalls",
            summary = "Calls in progress", description = "Supervision legs are not listed. The client's number "
            + "is masked. Needs CALL_CONTROL_READ or CALL_CONTROL_MODIFY.")
    public List<Views.CallView> list(
            @Parameter(description = "only calls whose agent is a member of this hunt group") @QueryParam("huntGroupId") Long huntGroupId,
            @Parameter(description = "only calls of the agent with this extension") @QueryParam("extension") String extension) {
        ApiAccess.requireRead(caller);
        long customerId = caller.customerId();
        return QuarkusTransaction.requiringNew().call(() -> {
            Set<Long> inGroup = huntGroupId == null ? null : HuntGroupMember.listForGroup(huntGroupId).stream()
                    .map(m -> m.accountId).collect(Collectors.toSet());
            Long byExtension = extension == null ? null
                    : Account.findByExtension(customerId, extension).map(a -> a.id).orElse(-1L);
            return ActiveCall.<ActiveCall>list("customerId = ?1 and supervisionLeg = false order by startedAt",
                            customerId).stream()
                    .filter(c -> CallRegistry.agentOf(c) != null)
                    .filter(c -> inGroup == null || inGroup.contains(CallRegistry.agentOf(c)))
                    .filter(c -> byExtension == null || byExtension.equals(CallRegistry.agentOf(c)))
                    .map(Views.CallView::of).toList();
        });
    }

    @GET
    @Path("{callId}")
    @Operation(operationId = "getCall", summary = "One call in progress")
    @APIResponse(responseCode = "404", description = "no such call in progress for this customer",
            content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "200", description = "the call",
            content = @Content(schema = @Schema(implementation = Views.CallView.class)))
    public Views.CallView get(@PathParam("callId") String callId) {
        ApiAccess.requireRead(caller);
        requireCallId(callId);
        long customerId = caller.customerId();
        return QuarkusTransaction.requiringNew().call(() -> ActiveCall.<ActiveCall>findByIdOptional(callId)
                .filter(c -> c.customerId == customerId && !c.supervisionLeg)
                .map(Views.CallView::of)
                .orElseThrow(() -> ProblemException.notFound("call", callId)));
    }

    @POST
    @Path("{callId}/supervisors")
    @Operation(operationId = "joinCall", summary = "Join a call as supervisor (seed: CallControl/join_to_active_call)",
            description = "Rings the supervisor's phone (from Kamailio, with an SDP offer made by rtpengine). Answers "
                    + "202 with the session in state RINGING; follow it at the Location: ACTIVE once answered, or "
                    + "ENDED with endReason NO_ANSWER, BUSY, DECLINED, ORIGINATION_FAILED or MEDIA_FAILURE. "
                    + "A customer-realm credential may name any account of its customer; an account-realm "
                    + "credential only its own, with 'supervision allowed' in a hunt group shared with the agent. "
                    + "Send an Idempotency-Key to make retries safe: a retry is answered with the first response "
                    + "and never rings the phone again.")
    @APIResponse(responseCode = "202", description = "the supervisor's phone is ringing",
            content = @Content(schema = @Schema(implementation = Views.SessionView.class)),
            headers = @Header(name = "Location", description = "path of the session",
                    schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "403", description = "feature off, missing CALL_CONTROL_MODIFY, not own account, "
            + "no shared hunt group or flag off", content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "404", description = "no such call (or another customer's), or no such supervisor",
            content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "409", description = "the call is itself a supervision leg, the supervisor is the "
            + "agent, or already supervises this call", content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "410", description = "the call has ended",
            content = @Content(mediaType = "application/problem+json"))
    public Response join(@PathParam("callId") String callId,
                         @Parameter(schema = @Schema(type = SchemaType.STRING, maxLength = 255))
                         @HeaderParam(IdempotentRequests.HEADER) String idempotencyKey,
                         @Valid @NotNull JoinRequest request) {
        // Permission first: a refused credential gets its own 403, never another request's stored answer.
        ApiAccess.requireModify(caller);
        requireCallId(callId);
        String path = "/api/v1/calls/" + callId + "/supervisors";
        return idempotent.run(caller, idempotencyKey, "POST " + path, request, path, () -> doJoin(callId, request));
    }

    private Response doJoin(String callId, JoinRequest request) {
        Duration ring = request.ringTimeoutSeconds() == null ? kamailio.ringTimeout()
                : Duration.ofSeconds(request.ringTimeoutSeconds());
        var outcome = supervision.applicationJoin(new SupervisionService.ApplicationJoin(caller.customerId(), callId,
                request.supervisorAccountId(), request.mode(), ApiAccess.trigger(caller), ApiAccess.actor(caller), ring));
        if (outcome instanceof SupervisionService.JoinOutcome.Ringing ringing) {
            SupervisionSession s = ringing.session();
            Views.SessionView view = QuarkusTransaction.requiringNew().call(() ->
                    Views.SessionView.of(SupervisionSession.findById(s.id)));
            return Response.accepted(view).location(URI.create("/api/v1/supervision-sessions/" + s.id)).build();
        }
        throw withRetryAfter(outcome, problem(outcome, callId, request.supervisorAccountId()), kamailio.retryAfter(),
                media.retryAfter());
    }

    /** SIP Call-IDs are visible characters; anything else cannot name a call (and PostgreSQL refuses NUL). */
    static void requireCallId(String callId) {
        if (callId.length() > 255 || !callId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ProblemException.invalid("callId", "must be 1-255 visible ASCII characters");
        }
    }

    /** A dependency that is down is worth retrying later (503 with Retry-After); a refusal is not. */
    static ProblemException withRetryAfter(SupervisionService.JoinOutcome outcome, ProblemException problem,
                                           Duration kamailioBack, Duration mediaBack) {
        if (outcome instanceof SupervisionService.JoinOutcome.EdgeUnavailable) {
            return problem.retryAfter(kamailioBack);
        }
        if (outcome instanceof SupervisionService.JoinOutcome.MediaUnavailable) {
            return problem.retryAfter(mediaBack);
        }
        return problem;
    }

    static ProblemException problem(SupervisionService.JoinOutcome outcome, String callId, long supervisorId) {
        if (outcome instanceof SupervisionService.JoinOutcome.CallNotFound) {
            return ProblemException.notFound("call", callId);
        }
        if (outcome instanceof SupervisionService.JoinOutcome.CallEnded) {
            return new ProblemException(410, "call-ended", "Call ended", "call " + callId + " has ended", null);
        }
        if (outcome instanceof SupervisionService.JoinOutcome.SupervisorNotFound) {
            return ProblemException.notFound("account", supervisorId);
        }
        if (outcome instanceof SupervisionService.JoinOutcome.NoAgent) {
            return new ProblemException(409, "no-agent", "No agent", "no party of call " + callId
                    + " is an account of this customer", null);
        }
        if (outcome instanceof SupervisionService.JoinOutcome.AlreadySupervising a) {
            return new ProblemException(409, "already-supervising", "Already supervising", "account " + supervisorId
                    + " already supervises call " + callId + " in session " + a.sessionId(), null);
        }
        if (outcome instanceof SupervisionService.JoinOutcome.EdgeUnavailable) {
            return new ProblemException(503, "dependency-unavailable", "Dependency unavailable",
                    "the SIP edge (Kamailio) cannot be reached to ring the supervisor's phone", null);
        }
        if (outcome instanceof SupervisionService.JoinOutcome.MediaUnavailable m) {
            return new ProblemException(503, "media-unavailable", "Supervision media unavailable",
                    "rtpengine could not prepare the supervisor's media: " + m.detail(), null);
        }
        DenialReason reason = ((SupervisionService.JoinOutcome.Denied) outcome).reason();
        return denial(reason);
    }

    static ProblemException denial(DenialReason reason) {
        return switch (reason) {
            case NOT_SAME_CUSTOMER -> new ProblemException(404, "not-found", "Not found", "call not found", null);
            case FEATURE_DISABLED -> new ProblemException(403, "supervision-disabled", "Call supervision disabled",
                    "call supervision is switched off for this customer", null);
            case MISSING_PERMISSION -> ApiAccess.missing("CALL_CONTROL_MODIFY");
            case NOT_OWN_ACCOUNT -> new ProblemException(403, "not-own-account", "Not own account",
                    "an account-realm credential may only make its own account the supervisor", null);
            case NO_SHARED_GROUP -> new ProblemException(403, "no-shared-hunt-group", "No shared hunt group",
                    "the supervisor shares no hunt group with the agent", null);
            case SUPERVISION_NOT_ALLOWED -> new ProblemException(403, "supervision-not-allowed",
                    "Supervision not allowed", "'supervision allowed' is off for the supervisor in every hunt group "
                    + "shared with the agent", null);
            case SELF -> new ProblemException(409, "own-call", "Cannot supervise own call",
                    "the supervisor is the agent of this call", null);
            case TARGET_IS_SUPERVISION_LEG -> new ProblemException(409, "target-is-supervision-leg",
                    "Target is a supervision call", "the named call is itself a supervisor's leg", null);
        };
    }
}
