package io.callsup.supervision;

import io.callsup.model.SupervisionMode;
import io.callsup.model.TriggerSource;

/**
 * What billing and compliance learn about supervision. Every method is called inside the database
 * transaction that makes the state change, so an implementation that writes an outbox row commits
 * or rolls back together with the change.
 */
public interface AuditTrail {

    /** An attempt refused before or instead of a session. */
    void denied(Denial denial);

    /** The session became active (its first mode is {@code session.mode}). */
    void started(SupervisionSession session, TriggerSource trigger);

    void modeChanged(SupervisionSession session, SupervisionMode from, SupervisionMode to, TriggerSource trigger);

    /** The session ended; {@code session.endReason} says why. */
    void ended(SupervisionSession session);
}
