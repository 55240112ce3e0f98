package io.callsup.model;

/** Why a session ended; billing and compliance read it from the audit trail. */
public enum EndReason {
    SUPERVISOR_HUNG_UP,
    CALL_ENDED,
    MEDIA_FAILURE,
    API,
    /** Application join: the supervisor's phone rang until the ring timeout (or 408/480/487). */
    NO_ANSWER,
    /** Application join: the supervisor's phone answered 486 or 600. */
    BUSY,
    /** Application join: the supervisor declined (603). */
    DECLINED,
    /** Application join: no phone to ring (404, not registered) or any other failure reply. */
    ORIGINATION_FAILED,
    /** The supervisor's phone cancelled its INVITE before the answer went out. */
    CANCELLED,
    /** The join was not confirmed in time (the service or Kamailio gave up before the 200 went out). */
    TIMEOUT,
    /** The authorisation is gone: feature switched off, flag removed, account or customer deleted. */
    REVOKED,
    /** Dial-in: the supervisor's phone offered no codec the mixer produces cleanly (answered 488). */
    NO_COMMON_CODEC,
    /** rtpengine no longer holds the supervisor's media (daemon crashed or restarted, call lost). */
    MEDIA_LOST
}
