package io.callsup.model;

/** Where a supervision session is: joining, active in a mode, or ended with a reason. */
public enum SessionState {
    JOINING,
    ACTIVE,
    /**
     * Over for the supervisor (BYE sent, nothing audited as ended yet), but rtpengine has not yet
     * confirmed that the supervisor's media is gone: the teardown is retried until it does.
     */
    ENDING,
    ENDED
}
