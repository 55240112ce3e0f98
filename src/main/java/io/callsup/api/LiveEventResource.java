package io.callsup.api;

import io.callsup.events.LiveEvent;
import io.callsup.events.LiveEventHub;
import io.callsup.events.LiveEventLog;
import io.callsup.security.Caller;
import io.callsup.security.Roles;
import io.callsup.web.ProblemException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
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
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Server-Sent Events of the caller's customer, so a CRM shows calls in progress without polling.
 * Fed from the shared log, so any replica streams every event; a reconnect with Last-Event-ID
 * gets what it missed first (up to {@link #REPLAY_LIMIT}, within the log's retention).
 */
@Path("/api/v1/events")
@RolesAllowed({Roles.CUSTOMER, Roles.ACCOUNT})
@Tag(name = "Call control")
public class LiveEventResource {

    static final int REPLAY_LIMIT = 1000;

    private final Caller caller;
    private final LiveEventHub hub;
    private final LiveEventLog log;

    public LiveEventResource(Caller caller, LiveEventHub hub, LiveEventLog log) {
        this.caller = caller;
        this.hub = hub;
        this.log = log;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(operationId = "streamEvents", summary = "Live stream of the customer's call and supervision events",
            description = "First a 'ready' event, then call.started, call.ended, supervision.ringing, "
                    + "supervision.started, supervision.mode-changed, supervision.failed and supervision.ended, each "
                    + "with a JSON body, in commit order (an event whose transaction committed after a newer one's "
                    + "comes when it commits), from whichever replica made the change. Event ids are the same on "
                    + "every replica: reconnecting with Last-Event-ID first replays the events after it (at most "
                    + REPLAY_LIMIT + ", within the retention, callsup.events.retention); 'ready' says how many and "
                    + "whether that was all (complete=false: refetch the calls). Needs CALL_CONTROL_READ or "
                    + "CALL_CONTROL_MODIFY.")
    @APIResponse(responseCode = "200", description = "an endless text/event-stream; each event's name is its type, "
            + "its id the sequence number and its data a JSON object",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "400", description = "Last-Event-ID is not an id this stream sent")
    public Multi<OutboundSseEvent> stream(@Context Sse sse,
                                          @Parameter(description = "the id of the last event received, to resume")
                                          @HeaderParam("Last-Event-ID") String lastEventId) {
        ApiAccess.requireRead(caller);
        long customerId = caller.customerId();
        Long after = parse(lastEventId);
        return Multi.createFrom().<OutboundSseEvent>emitter(em -> {
            Opening stream = new Opening(sse, em);
            em.onTermination(hub.subscribe(customerId, stream::live));
            if (after == null) {
                stream.open(hub.lastSequence(), List.of(), true);
                return;
            }
            // The replay reads the database: not on the event loop that subscribes.
            Infrastructure.getDefaultWorkerPool().execute(() -> {
                try {
                    List<LiveEventLog.Entry> replay = log.after(customerId, after, REPLAY_LIMIT);
                    stream.open(after, replay, after >= log.prunedUpTo() && replay.size() < REPLAY_LIMIT);
                } catch (RuntimeException e) {
                    em.fail(e);
                }
            });
        }, BackPressureStrategy.BUFFER);
    }

    /**
     * One stream while it opens: live events that arrive before "ready" and the replay are sent wait
     * here, so the stream stays in order, and an event both replayed and live is sent once.
     */
    private static final class Opening {
        private final Sse sse;
        private final MultiEmitter<? super OutboundSseEvent> em;
        private final List<LiveEventLog.Entry> held = new ArrayList<>();
        private Set<Long> replayed = Set.of();
        private boolean open;

        Opening(Sse sse, MultiEmitter<? super OutboundSseEvent> em) {
            this.sse = sse;
            this.em = em;
        }

        synchronized void live(long seq, LiveEvent e) {
            if (!open) {
                held.add(new LiveEventLog.Entry(seq, e));
            } else if (!replayed.contains(seq)) {
                em.emit(event(sse, seq, e));
            }
        }

        /** "ready" (its id where the client stands), the replay, what arrived meanwhile; then live. */
        synchronized void open(long readyId, List<LiveEventLog.Entry> replay, boolean complete) {
            em.emit(sse.newEventBuilder().name("ready").id(Long.toString(readyId))
                    .mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(String.class, "{\"replayed\":" + replay.size() + ",\"complete\":" + complete + "}").build());
            replay.forEach(r -> em.emit(event(sse, r.id(), r.event())));
            replayed = replay.stream().map(LiveEventLog.Entry::id).collect(Collectors.toSet());
            held.stream().filter(h -> !replayed.contains(h.id())).forEach(h -> em.emit(event(sse, h.id(), h.event())));
            held.clear();
            open = true;
        }
    }

    /** An id this service sent is a non-negative number; anything else is refused, not guessed at. */
    private static Long parse(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return null;
        }
        try {
            long id = Long.parseLong(lastEventId.strip());
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new ProblemException(400, "invalid-last-event-id", "Invalid Last-Event-ID",
                "Last-Event-ID must be the id of an event of this stream (a non-negative number)", null);
    }

    private static OutboundSseEvent event(Sse sse, long seq, LiveEvent e) {
        return sse.newEventBuilder().name(e.type()).id(Long.toString(seq))
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(LiveEvent.class, e).build();
    }
}
