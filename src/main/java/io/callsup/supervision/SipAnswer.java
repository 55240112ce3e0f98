package io.callsup.supervision;

import io.callsup.policy.DenialReason;

/**
 * The SIP final response a phone gets for a supervision request. Reason phrases say why, because a
 * phone's display is often the only place a manager sees it.
 */
public record SipAnswer(int code, String reason) {

    public static final SipAnswer CALLER_UNKNOWN = new SipAnswer(403, "Caller Not Provisioned");
    public static final SipAnswer UNKNOWN_EXTENSION = new SipAnswer(404, "Extension Not Found");
    public static final SipAnswer NOT_A_CODE = new SipAnswer(404, "Unknown Service Code");
    public static final SipAnswer AGENT_IDLE = new SipAnswer(480, "Agent Not On A Call");
    /** RFC 3261 21.4.26: the offer's codecs are the problem, so the phone may retry with others. */
    public static final SipAnswer NO_COMMON_CODEC = new SipAnswer(488, "No Supported Codec Offered");
    public static final SipAnswer MEDIA_FAILURE = new SipAnswer(503, "Supervision Media Unavailable");

    public static SipAnswer malformed(String why) {
        return new SipAnswer(484, "Address Incomplete: " + why);
    }

    /**
     * A call of another customer is answered like an unknown extension: a phone must not learn
     * that the number exists elsewhere.
     */
    public static SipAnswer denied(DenialReason reason) {
        return switch (reason) {
            case NOT_SAME_CUSTOMER -> UNKNOWN_EXTENSION;
            case FEATURE_DISABLED -> new SipAnswer(403, "Call Supervision Disabled");
            case NO_SHARED_GROUP -> new SipAnswer(403, "No Shared Hunt Group");
            case SUPERVISION_NOT_ALLOWED -> new SipAnswer(403, "Supervision Not Allowed");
            case SELF -> new SipAnswer(403, "Cannot Supervise Own Call");
            case TARGET_IS_SUPERVISION_LEG -> new SipAnswer(403, "Target Is A Supervision Call");
            case MISSING_PERMISSION -> new SipAnswer(403, "Missing Call Control Permission");
            case NOT_OWN_ACCOUNT -> new SipAnswer(403, "Not Own Account");
        };
    }
}
