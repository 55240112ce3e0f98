package io.callsup.model;

/** Where a supervision session is: joining, active in a mode, or ended with a reason. */
public enum SessionState {
    JOINING,
    ACTIVE,
    ENDED
}
