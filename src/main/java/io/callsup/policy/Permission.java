package io.callsup.policy;

/** What a role may do through the application API. */
public enum Permission {
    /** List calls in progress and read supervision sessions. */
    CALL_CONTROL_READ,
    /** Join, switch modes and leave: the seed's "Call control – Modify". */
    CALL_CONTROL_MODIFY
}
