package io.callsup.model;

/** What made the state machine move. */
public enum TriggerSource {
    CODE,
    RFC4733,
    SIP_INFO,
    API,
    SUPERVISOR_HANGUP,
    CALL_HANGUP,
    MEDIA_FAILURE,
    RECONCILE
}
