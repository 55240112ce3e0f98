package io.callsup.policy;

/** Why a supervision attempt was refused. Each maps to one SIP answer and one API problem. */
public enum DenialReason {
    /** The customer's administrator-level switch is off. */
    FEATURE_DISABLED,
    /** Supervisor and agent belong to different customers. */
    NOT_SAME_CUSTOMER,
    /** Supervisor and agent share no hunt group. */
    NO_SHARED_GROUP,
    /** They share a group, but in none of them may the supervisor supervise. */
    SUPERVISION_NOT_ALLOWED,
    /** The supervisor tried to supervise their own call. */
    SELF,
    /** The target call is itself somebody's supervision leg. */
    TARGET_IS_SUPERVISION_LEG,
    /** The application credential's role lacks CALL_CONTROL_MODIFY. */
    MISSING_PERMISSION,
    /** An account-realm credential tried to make another account the supervisor. */
    NOT_OWN_ACCOUNT
}
