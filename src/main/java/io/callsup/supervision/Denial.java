package io.callsup.supervision;

import io.callsup.model.TriggerSource;

import java.util.UUID;

/**
 * A refused supervision attempt, with whatever was known when it was refused: an unknown caller
 * has no account, an unknown extension no agent.
 *
 * @param reason    a {@link io.callsup.policy.DenialReason} name, or a non-policy reason such as
 *                  UNKNOWN_EXTENSION, AGENT_IDLE, MALFORMED_CODE, MEDIA_FAILURE
 * @param sessionId the session the refusal belongs to (a refused mode switch, a join that failed
 *                  before becoming active), or null when no session exists
 */
public record Denial(Long customerId, Long supervisorAccountId, Long agentAccountId, String dialled,
                     String callId, TriggerSource trigger, String reason, String credentialRealm,
                     Long credentialId, UUID sessionId) {

    /** A refusal that belongs to no session. */
    public Denial(Long customerId, Long supervisorAccountId, Long agentAccountId, String dialled, String callId,
                  TriggerSource trigger, String reason, String credentialRealm, Long credentialId) {
        this(customerId, supervisorAccountId, agentAccountId, dialled, callId, trigger, reason, credentialRealm,
                credentialId, null);
    }
}
