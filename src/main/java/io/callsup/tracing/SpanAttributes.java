package io.callsup.tracing;

import io.opentelemetry.api.common.AttributeKey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The attributes the service's own spans carry. Deliberately no phone number, SIP URI, user name,
 * display name or SDP: a trace backend is shared across tenants and kept longer than the calls.
 * Call-IDs are hashed: some PBXs build them from the caller's number.
 */
public final class SpanAttributes {

    /** First 16 hex digits of SHA-256 of the SIP Call-ID: enough to correlate spans and logs, not to read it. */
    public static final AttributeKey<String> CALL_ID_HASH = AttributeKey.stringKey("callsup.call_id.sha256");
    public static final AttributeKey<String> NG_COMMAND = AttributeKey.stringKey("rtpengine.command");
    public static final AttributeKey<String> NG_DAEMON = AttributeKey.stringKey("rtpengine.daemon");
    public static final AttributeKey<String> DTMF_SOURCE = AttributeKey.stringKey("callsup.dtmf.source");
    public static final AttributeKey<String> DTMF_DIGIT = AttributeKey.stringKey("callsup.dtmf.digit");

    private SpanAttributes() {
    }

    public static String hash(String callId) {
        if (callId == null) {
            return "";
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(callId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
