package io.callsup.audit;

import io.callsup.supervision.TriggerSource;

/**
 * A refused supervision attempt, with whatever was known when it was refused: an unknown caller
 * has no account, an unknown extension no agent.
 *
 * @param reason a {@link io.callsup.policy.DenialReason} name, or a non-policy reason such as
 *               UNKNOWN_EXTENSION, AGENT_IDLE, MALFORMED_CODE, MEDIA_FAILURE
 */
public record Denial(Long customerId, Long supervisorAccountId, Long agentAccountId, String dialled,
                     String callId, TriggerSource trigger, String reason, String credentialRealm,
                     Long credentialId) {
}
