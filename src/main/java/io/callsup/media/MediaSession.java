package io.callsup.media;

import io.callsup.model.SupervisionMode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the media layer needs to know about one supervisor on one call. Immutable and made only
 * of strings, enums and booleans, so the service can persist it and rebuild it after a restart.
 *
 * @param callId        the agent's call-id (as Kamailio gave it to rtpengine); the supervisor's
 *                      party lives in this call
 * @param daemon        the rtpengine ng address ({@code host:port}) that holds the call
 * @param agentTag      the agent's tag in the call
 * @param clientTag     the client's tag in the call
 * @param supervisorTag the supervisor's tag (unique per session, never reused on the same call)
 * @param dialledIn     true when the supervisor's phone sent the offer ({@link MediaPlan#join});
 *                      the call then also holds the placeholder tag {@link #placeholderTag()}
 * @param mode          current mode
 */
@RegisterForReflection
public record MediaSession(String callId, String daemon, String agentTag, String clientTag, String supervisorTag,
        boolean dialledIn, SupervisionMode mode) {

    public MediaSession {
        if (callId == null || daemon == null || agentTag == null || clientTag == null || supervisorTag == null
                || mode == null) {
            throw new IllegalArgumentException("MediaSession fields must not be null");
        }
    }

    /** Tag of the placeholder answerer used for a dialled-in supervisor (absent otherwise). */
    public String placeholderTag() {
        return dialledIn ? placeholderTagFor(supervisorTag) : null;
    }

    static String placeholderTagFor(String supervisorTag) {
        return supervisorTag + "-callsup-ph";
    }

    public MediaSession withMode(SupervisionMode newMode) {
        return new MediaSession(callId, daemon, agentTag, clientTag, supervisorTag, dialledIn, newMode);
    }
}
