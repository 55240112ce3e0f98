package io.callsup.supervision;

import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;

import io.callsup.media.MediaSession;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** One supervisor on one call, persisted so a restarted service carries on where it stopped. */
@Entity
@Table(name = "supervision_session")
public class SupervisionSession extends PanacheEntityBase {

    public enum JoinedBy { CODE, APPLICATION }

    @Id
    public UUID id;

    @Column(name = "customer_id")
    public long customerId;
    @Column(name = "supervisor_account_id")
    public long supervisorAccountId;
    @Column(name = "agent_account_id")
    public long agentAccountId;

    @Column(name = "call_id")
    public String callId;
    @Column(name = "agent_tag")
    public String agentTag;
    @Column(name = "client_tag")
    public String clientTag;
    @Column(name = "client_number")
    public String clientNumber;
    @Column(name = "supervisor_tag")
    public String supervisorTag;
    @Column(name = "media_daemon")
    public String mediaDaemon;
    @Column(name = "dialled_in")
    public boolean dialledIn;

    @Column(name = "supervisor_call_id")
    public String supervisorCallId;
    @Column(name = "supervisor_from_tag")
    public String supervisorFromTag;

    @Enumerated(EnumType.STRING)
    public SessionState state;
    @Enumerated(EnumType.STRING)
    public SupervisionMode mode;
    @Enumerated(EnumType.STRING)
    @Column(name = "end_reason")
    public EndReason endReason;

    @Enumerated(EnumType.STRING)
    @Column(name = "joined_by")
    public JoinedBy joinedBy;
    @Column(name = "credential_realm")
    public String credentialRealm;
    @Column(name = "credential_id")
    public Long credentialId;
    @Column(name = "authorised_by_group")
    public Long authorisedByGroup;

    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "ended_at")
    public Instant endedAt;

    /** How many audit events this session has emitted; each event carries its number as "sequence". */
    @Column(name = "audit_sequence")
    public int auditSequence;

    @Version
    public long version;

    public boolean live() {
        return state != SessionState.ENDED;
    }

    /** The media layer's view, rebuilt from the row; this is what makes restarts survivable. */
    public MediaSession media() {
        return new MediaSession(callId, mediaDaemon, agentTag, clientTag, supervisorTag, dialledIn, mode);
    }

    public static List<SupervisionSession> liveOnCall(String callId) {
        return list("callId = ?1 and state <> ?2", callId, SessionState.ENDED);
    }

    public static Optional<SupervisionSession> liveBySupervisorTag(String callId, String supervisorTag) {
        return find("callId = ?1 and supervisorTag = ?2 and state <> ?3", callId, supervisorTag, SessionState.ENDED)
                .firstResultOptional();
    }

    public static Optional<SupervisionSession> liveBySupervisorLeg(String supervisorCallId) {
        return find("supervisorCallId = ?1 and state <> ?2", supervisorCallId, SessionState.ENDED).firstResultOptional();
    }

    public static List<SupervisionSession> allLive() {
        return list("state <> ?1", SessionState.ENDED);
    }
}
