package io.callsup.supervision;

import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;

import io.callsup.supervision.machine.SessionSnapshot;
import io.callsup.supervision.port.MediaMixer;
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
    /** The leg's other tag, known once Kamailio reports the dialog's start. */
    @Column(name = "supervisor_to_tag")
    public String supervisorToTag;

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
    /** When the session became active; null while joining and for joins that never did. */
    @Column(name = "activated_at")
    public Instant activatedAt;

    /** How many audit events this session has emitted; each event carries its number as "sequence". */
    @Column(name = "audit_sequence")
    public int auditSequence;

    @Version
    public long version;

    public boolean live() {
        return state != SessionState.ENDED;
    }

    /** The media layer's view, rebuilt from the row; this is what makes restarts survivable. */
    public MediaMixer.MediaRef mediaRef() {
        return new MediaMixer.MediaRef(callId, mediaDaemon, agentTag, clientTag, supervisorTag);
    }

    /** What the session machine decides on. */
    public SessionSnapshot snapshot() {
        return new SessionSnapshot(state, mode, dialledIn, activatedAt != null, endReason);
    }

    /** The session row locked for this transaction: the per-session order that holds across replicas. */
    public static Optional<SupervisionSession> lock(UUID id) {
        return Optional.ofNullable(getEntityManager().find(SupervisionSession.class, id,
                jakarta.persistence.LockModeType.PESSIMISTIC_WRITE));
    }

    public static List<SupervisionSession> liveOfCustomer(long customerId) {
        return list("customerId = ?1 and state <> ?2", customerId, SessionState.ENDED);
    }

    public static List<SupervisionSession> inState(SessionState state) {
        return list("state", state);
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

    /**
     * As {@link #liveBySupervisorTag}, locked as {@link #lock} locks: one statement instead of a
     * find and a lock (a digit's switch). PostgreSQL re-checks the condition after waiting for the
     * lock, so a session that ended meanwhile is not returned.
     */
    public static Optional<SupervisionSession> lockLiveBySupervisorTag(String callId, String supervisorTag) {
        return find("callId = ?1 and supervisorTag = ?2 and state <> ?3", callId, supervisorTag, SessionState.ENDED)
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }

    /** As {@link #liveBySupervisorLeg}, locked in the same statement (see {@link #lockLiveBySupervisorTag}). */
    public static Optional<SupervisionSession> lockLiveBySupervisorLeg(String supervisorCallId) {
        return find("supervisorCallId = ?1 and state <> ?2", supervisorCallId, SessionState.ENDED)
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }
}
