package io.callsup.supervision.port;

/** The supervisor's own SIP leg, as far as the session machine needs it (Kamailio behind it). */
public interface SupervisorPhone {

    /**
     * Ends the supervisor's confirmed dialog with a BYE carrying {@code reason} (a Reason header).
     * Returns false when the dialog is not known (already gone). Throws when Kamailio cannot be asked.
     */
    boolean hangUp(String supervisorCallId, String reason);

    /** Cancels a service-originated INVITE still ringing the supervisor's phone. Best effort. */
    void cancelRinging(String supervisorCallId);
}
