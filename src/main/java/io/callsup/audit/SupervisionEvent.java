package io.callsup.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.Map;

/**
 * One audit event as a CloudEvents 1.0 structured-mode JSON document. The JSON Schema in
 * {@code src/main/resources/audit/supervision-event.schema.json} describes exactly this shape.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SupervisionEvent(String specversion, String id, String source, String type, String subject,
                               String time, String datacontenttype, Long customerid, Data data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String TYPE_PREFIX = "io.callsup.supervision.";
    public static final String DENIED = TYPE_PREFIX + "denied";
    public static final String STARTED = TYPE_PREFIX + "started";
    public static final String MODE_CHANGED = TYPE_PREFIX + "mode_changed";
    public static final String ENDED = TYPE_PREFIX + "ended";

    /** The event's data; which members are present depends on the type (see the schema). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Data(
            String sessionId,
            Integer sequence,
            Customer customer,
            Party supervisor,
            Party agent,
            Credential credential,
            Authorisation authorisedBy,
            String joinedBy,
            String callId,
            ClientNumber client,
            String mode,
            String from,
            String to,
            String trigger,
            String reason,
            String dialled,
            String startedAt,
            String endedAt,
            Long durationMs,
            Map<String, Long> modeDurationsMs,
            String occurredAt) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Customer(long id, String name) {
    }

    /** An account taking part: its id and extension. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Party(long accountId, String extension) {
    }

    /**
     * What authenticated the supervisor: {@code sip-digest} with the SIP realm for a dialled code,
     * {@code api} with the credential's realm (customer or account) and id for an application.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Credential(String kind, String realm, Long credentialId) {
    }

    /** {@code hunt-group} (with the group) or {@code customer-credential}. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Authorisation(String kind, Long huntGroupId, String huntGroupName) {
    }

    /** The client's number, masked unless the customer has opted to show it. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ClientNumber(String number, boolean masked) {
    }
}
