package io.callsup.media;

import static io.callsup.media.SyncNg.cmd;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.callsup.supervision.port.MediaMixer.MediaFailure;

/**
 * Refuses a new supervisor slot while its daemon is short of media ports. rtpengine answers an
 * offer it cannot give ports with "Ran out of ports" and destroys the <i>whole call</i> first
 * (daemon/call_interfaces.c, call_offer_answer_ng: {@code call_destroy} on ERROR_NO_FREE_PORTS),
 * so an offer that fails for lack of ports takes the agent's call down with it (issue 12's soak).
 * Nothing sent afterwards can undo that: the only protection is not to send the offer.
 * <p>
 * The free count comes from {@code statistics} (interfaces[].ports.free), cached per daemon for
 * {@link #MAX_AGE_NANOS} and lowered by every slot let through meanwhile, so a burst of joins
 * cannot all pass on one reading. Not airtight: Kamailio's offers for ordinary calls take ports
 * between two readings, hence the reserve.
 */
final class PortHeadroom {
    /** Ports a new slot (supervisor + placeholder) binds: measured by MixerPortLeakTest. */
    static final int NEW_SLOT_PORTS = 4;
    /** Left free for concurrent allocations the mixer does not see (another join, a new call). */
    static final int RESERVE = NEW_SLOT_PORTS;
    static final long MAX_AGE_NANOS = 1_000_000_000L;

    private record Reading(long atNanos, long free) {
    }

    private final SyncNg ng;
    private final Map<NgAddress, Reading> last = new ConcurrentHashMap<>();

    PortHeadroom(SyncNg ng) {
        this.ng = ng;
    }

    /** Throws (nothing sent to the call) unless {@code d} has ports for a new slot plus the reserve. */
    void requireForNewSlot(NgAddress d, String callId) {
        long now = System.nanoTime();
        Reading r = last.get(d);
        if (r == null || now - r.atNanos() > MAX_AGE_NANOS) {
            r = new Reading(now, free(ng.send(d, cmd("statistics", null))));
        }
        if (r.free() < NEW_SLOT_PORTS + RESERVE) {
            last.put(d, r);
            throw new MediaFailure("rtpengine " + d + " has " + r.free() + " free media ports; a supervisor needs "
                    + NEW_SLOT_PORTS + " (+" + RESERVE + " reserve), and an offer rtpengine cannot serve ends call "
                    + callId + " for everyone: join refused", false, null);
        }
        last.put(d, new Reading(r.atNanos(), r.free() - NEW_SLOT_PORTS));
    }

    /**
     * The fewest free ports of any interface ({@code statistics.interfaces[].ports.free}). A reply
     * without the figures fails the join: guessing "plenty" is what could end a call.
     */
    static long free(Map<String, Object> reply) {
        long min = Long.MAX_VALUE;
        if (reply.get("statistics") instanceof Map<?, ?> st && st.get("interfaces") instanceof List<?> interfaces) {
            for (Object o : interfaces) {
                if (o instanceof Map<?, ?> i && i.get("ports") instanceof Map<?, ?> p && p.get("free") instanceof Number n) {
                    min = Math.min(min, n.longValue());
                }
            }
        }
        if (min == Long.MAX_VALUE) {
            throw new MediaFailure("rtpengine's statistics name no free media ports (statistics.interfaces[].ports"
                    + ".free); a supervisor join is refused rather than risk the call", false, null);
        }
        return min;
    }
}
