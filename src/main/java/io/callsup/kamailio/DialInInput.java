package io.callsup.kamailio;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What a phone put in a feature-code INVITE that is refused before any decision, with the SIP answer
 * that says what is wrong. Kamailio refuses the same first (route[FEATURE_INPUT]); this is the
 * service's own guard, so an input error is never answered as "service unavailable".
 */
final class DialInInput {

    static final int MAX_DIALLED = 64;
    static final int MAX_SDP_BYTES = 16384;

    private DialInInput() {
    }

    static Optional<KamailioMessages.Decision> refusal(String dialled, String sdp) {
        if (dialled.length() > MAX_DIALLED) {
            return reject(414, "Request-URI Too Long - dialled code over " + MAX_DIALLED + " characters");
        }
        if (dialled.isEmpty() || dialled.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return reject(400, "Bad Request - control character in dialled code");
        }
        if (sdp == null || sdp.isBlank()) {
            return reject(488, "Not Acceptable Here - SDP offer required");
        }
        if (sdp.getBytes(StandardCharsets.UTF_8).length > MAX_SDP_BYTES) {
            return reject(413, "Request Entity Too Large - SDP over " + MAX_SDP_BYTES + " bytes");
        }
        if (!sdp.startsWith("v=0")) {
            return reject(488, "Not Acceptable Here - body is not an SDP offer");
        }
        return Optional.empty();
    }

    private static Optional<KamailioMessages.Decision> reject(int code, String reason) {
        return Optional.of(KamailioMessages.Decision.reject(code, reason));
    }
}
