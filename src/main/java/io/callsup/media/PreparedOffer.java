package io.callsup.media;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * First half of the originate path: rtpengine made an SDP offer for the supervisor's phone.
 * Persistable like {@link MediaSession}. Finish with {@link MediaPlan#completeJoin} or drop with
 * {@link MediaPlan#abandon}.
 */
@RegisterForReflection
public record PreparedOffer(String callId, String daemon, String agentTag, String clientTag, String supervisorTag,
        String sdpOffer) {
}
