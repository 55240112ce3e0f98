package io.callsup.supervision.port;

/** The supervisor's own SIP leg, as far as the session machine needs it (Kamailio behind it). */
public interface SupervisorPhone {

    /**
     * A fresh Call-ID for the service's own INVITE to a supervisor's phone: that phone's BYE and INFO
     * name it. Unguessable (never derived from ids an API shows): tm derives the From-tag from it and
     * a per-instance constant, so whoever knows it can act on the leg as far as SIP can tell.
     */
    String newLegCallId();

    /** Whether the SIP edge can be asked now (an application join is refused at once when not). */
    boolean reachable();

    /** The final answer of a rung phone; {@code sdp} is the body of a 2xx, null when there is none. */
    record Answer(int code, String reason, String sdp) {
    }

    /**
     * Rings {@code extension@domain} with {@code sdpOffer} on leg {@code legCallId} and blocks until
     * its final answer. Throws when the SIP edge cannot be asked.
     */
    Answer ring(String legCallId, String extension, String domain, String displayName, String sdpOffer);

    /**
     * The supervisor's leg as the session knows it. A dialled-in leg's Call-ID is the phone's choice,
     * so the tags known so far (null while unknown) tell it apart from any other dialog using it.
     */
    record Leg(String callId, String fromTag, String toTag) {
    }

    /**
     * Ends the supervisor's confirmed dialog with a BYE carrying {@code reason} (a Reason header).
     * Returns false when the dialog is not known (already gone). Throws when Kamailio cannot be asked.
     */
    boolean hangUp(Leg leg, String reason);

    /** Cancels a service-originated INVITE still ringing the supervisor's phone. Best effort. */
    void cancelRinging(String supervisorCallId);
}
