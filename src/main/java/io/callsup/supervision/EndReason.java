package io.callsup.supervision;

/** Why a session ended; billing and compliance read it from the audit trail. */
public enum EndReason {
    SUPERVISOR_HUNG_UP,
    CALL_ENDED,
    MEDIA_FAILURE,
    API,
    ADMIN
}
