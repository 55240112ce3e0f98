package io.callsup.kamailio;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** The JSON Kamailio and the service exchange; documented in kamailio/README.md. */
public final class KamailioMessages {

    private KamailioMessages() {
    }

    @RegisterForReflection
    public record SupervisionInvite(
            @NotBlank @Size(max = 255) String callId,
            @NotBlank @Size(max = 128) String fromTag,
            // Length, characters and SDP are the phone's input: refused with a SIP answer (DialInInput).
            @NotNull @Size(max = 4096) String dialled,
            @Size(max = 253) String domain,
            @NotBlank @Size(max = 128) String authUser,
            @NotBlank @Size(max = 253) String authDomain,
            @NotNull @Size(max = 65536) String sdp) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    /** Kamailio's report after an accepted decision: did the 200 reach the phone's transaction? */
    public record InviteOutcome(
            @NotBlank @Size(max = 255) String callId,
            @NotBlank @Size(max = 128) String fromTag,
            @NotNull @Pattern(regexp = "answered|cancelled|failed", message = "must be answered, cancelled or failed")
            String outcome) {
    }

    public record Decision(String action, String sdp, Integer code, String reason) {
        static Decision accept(String sdp) {
            return new Decision("accept", sdp, null, null);
        }

        static Decision reject(int code, String reason) {
            return new Decision("reject", null, code, reason);
        }
    }

    /** A phone's SUBSCRIBE (Event: dialog) to an account's busy lamp; {@code refresh}: within its dialog. */
    @RegisterForReflection
    public record BlfSubscription(
            @NotBlank @Size(max = 255) String callId,
            @NotBlank @Size(max = 128) String watched,
            @NotBlank @Size(max = 253) String domain,
            @NotBlank @Size(max = 128) String authUser,
            @NotBlank @Size(max = 253) String authDomain,
            boolean refresh) {
    }

    /** accept (with the presentity, the watched account's SIP username) or reject (code, reason). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BlfDecision(String action, String presentity, Integer code, String reason) {
        static BlfDecision accept(String presentity) {
            return new BlfDecision("accept", presentity, null, null);
        }

        static BlfDecision reject(int code, String reason) {
            return new BlfDecision("reject", null, code, reason);
        }
    }

    @RegisterForReflection
    public record Party(@Size(max = 128) String user, @Size(max = 253) String domain) {
    }

    @RegisterForReflection
    public record DialogEvent(
            @NotNull @Pattern(regexp = "start|end|hold|resume", message = "must be start, end, hold or resume") String event,
            @NotBlank @Size(max = 255) String callId,
            @Size(max = 128) String fromTag,
            @Size(max = 128) String toTag,
            @Valid Party caller,
            @Valid Party callee,
            boolean supervision,
            Long hEntry,
            Long hId,
            Long ts,
            // The ng socket Kamailio's rtpengine module anchored the call in ("udp:host:port").
            @Size(max = 255) @Pattern(regexp = "(udp:)?[A-Za-z0-9.:\\[\\]-]+:[0-9]+",
                    message = "must be udp:host:port") String rtpengine) {
    }

    @RegisterForReflection
    public record SupervisorEvent(
            @NotNull @Pattern(regexp = "bye|dtmf|reinvite", message = "must be bye, dtmf or reinvite") String event,
            @NotBlank @Size(max = 255) String callId,
            @Size(max = 128) String fromTag,
            @Size(max = 128) String toTag,
            @Pattern(regexp = "[0-9*#]", message = "must be one of 0-9, * or #") String digit,
            Integer durationMs,
            @Pattern(regexp = "sendrecv|sendonly|recvonly|inactive",
                    message = "must be an SDP direction") String direction,
            Boolean hold,
            Long ts) {
    }
}
