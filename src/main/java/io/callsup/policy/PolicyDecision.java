package io.callsup.policy;

/** The policy's answer: allowed (and on what grounds, for the audit trail) or one denial reason. */
public sealed interface PolicyDecision {

    /**
     * Allowed. {@code huntGroupId} is the group whose "supervision allowed" flag authorised it, or
     * null when a customer-realm application credential did.
     */
    record Allow(Long huntGroupId, String grounds) implements PolicyDecision {
    }

    record Deny(DenialReason reason) implements PolicyDecision {
    }

    default boolean allowed() {
        return this instanceof Allow;
    }
}
