package io.callsup.media;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One RFC 4733 digit reported by rtpengine's DTMF log, attributed to the tag that sent it. */
@RegisterForReflection
public record DtmfEvent(String callId, String sourceTag, char digit, int durationMs) {
}
