package io.callsup.media;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Result of a join: the session to persist and the SDP answer to send to the supervisor's phone. */
@RegisterForReflection
public record MediaJoin(MediaSession session, String sdpAnswer) {
}
