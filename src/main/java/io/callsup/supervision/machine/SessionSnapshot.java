package io.callsup.supervision.machine;

import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;

/**
 * The part of a session the machine decides on.
 *
 * @param dialledIn  the supervisor's phone dialled a code (else the service rang it)
 * @param wasActive  the session has been ACTIVE (so its end is an "ended", not a failed join)
 * @param endReason  set once the session is ENDING or ENDED
 */
public record SessionSnapshot(SessionState state, SupervisionMode mode, boolean dialledIn, boolean wasActive,
                              EndReason endReason) {

    public SessionSnapshot with(SessionState state, SupervisionMode mode, boolean wasActive, EndReason endReason) {
        return new SessionSnapshot(state, mode, dialledIn, wasActive, endReason);
    }
}
