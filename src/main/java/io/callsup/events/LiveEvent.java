package io.callsup.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.UUID;

/**
 * Something a customer's applications may want to see at once: a call started or ended, a
 * supervision session rang, started, changed mode, failed or ended. Fired as a CDI event inside
 * the transaction that made the change and delivered to live streams only after it commits.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LiveEvent(
        @JsonIgnore long customerId,
        String type,
        Instant at,
        String callId,
        UUID sessionId,
        Long agentAccountId,
        Long supervisorAccountId,
        String mode,
        String fromMode,
        String trigger,
        String endReason) {

    public static final String CALL_STARTED = "call.started";
    public static final String CALL_ENDED = "call.ended";
    public static final String SUPERVISION_RINGING = "supervision.ringing";
    public static final String SUPERVISION_STARTED = "supervision.started";
    public static final String SUPERVISION_MODE_CHANGED = "supervision.mode-changed";
    public static final String SUPERVISION_ENDED = "supervision.ended";
    /** An application join that never became active (no answer, busy, declined, refused media). */
    public static final String SUPERVISION_FAILED = "supervision.failed";

    public static LiveEvent call(String type, long customerId, String callId, Long agentAccountId) {
        return new LiveEvent(customerId, type, Instant.now(), callId, null, agentAccountId, null, null, null, null, null);
    }

    public static LiveEvent session(String type, long customerId, String callId, UUID sessionId, long agentAccountId,
                                    long supervisorAccountId, Object mode, Object fromMode, Object trigger,
                                    Object endReason) {
        return new LiveEvent(customerId, type, Instant.now(), callId, sessionId, agentAccountId, supervisorAccountId,
                str(mode), str(fromMode), str(trigger), str(endReason));
    }

    /** The same event of {@code customerId} (read back from the log, whose JSON leaves it out). */
    public LiveEvent forCustomer(long customerId) {
        return new LiveEvent(customerId, type, at, callId, sessionId, agentAccountId, supervisorAccountId, mode,
                fromMode, trigger, endReason);
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
