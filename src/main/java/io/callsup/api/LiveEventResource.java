package io.callsup.api;

import io.callsup.events.LiveEvent;
import io.callsup.events.LiveEventHub;
import io.callsup.security.Caller;
import io.callsup.security.Roles;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Server-Sent Events of the caller's customer, so a CRM shows calls in progress without polling. */
@Path("/api/v1/events")
@RolesAllowed({Roles.CUSTOMER, Roles.ACCOUNT})
@Tag(name = "Call control")
public class LiveEventResource {

    private final Caller caller;
    private final LiveEventHub hub;

    public LiveEventResource(Caller caller, LiveEventHub hub) {
        this.caller = caller;
        this.hub = hub;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(operationId = "streamEvents", summary = "Live stream of the customer's call and supervision events",
            description = "First a 'ready' event, then call.started, call.ended, supervision.ringing, "
                    + "supervision.started, supervision.mode-changed, supervision.failed and supervision.ended, each "
                    + "with a JSON body, in commit order, as this replica sees them. Needs CALL_CONTROL_READ or "
                    + "CALL_CONTROL_MODIFY.")
    @APIResponse(responseCode = "200", description = "an endless text/event-stream; each event's name is its type, "
            + "its id the sequence number and its data a JSON object",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    public Multi<OutboundSseEvent> stream(@Context Sse sse) {
        ApiAccess.requireRead(caller);
        long customerId = caller.customerId();
        return Multi.createFrom().<OutboundSseEvent>emitter(em -> {
            Runnable unsubscribe = hub.subscribe(customerId, (seq, e) -> em.emit(event(sse, seq, e)));
            em.onTermination(unsubscribe);
            em.emit(sse.newEventBuilder().name("ready").id(Long.toString(hub.lastSequence()))
                    .mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class, "{}").build());
        }, BackPressureStrategy.BUFFER);
    }

    private static OutboundSseEvent event(Sse sse, long seq, LiveEvent e) {
        return sse.newEventBuilder().name(e.type()).id(Long.toString(seq))
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(LiveEvent.class, e).build();
    }
}
