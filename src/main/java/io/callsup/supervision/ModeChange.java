package io.callsup.supervision;

import io.callsup.model.TriggerSource;
import io.callsup.model.SupervisionMode;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** One entry of a session's mode history: who or what moved it, from which mode to which. */
@Entity
@Table(name = "supervision_mode_change")
public class ModeChange extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "session_id")
    public UUID sessionId;

    @Enumerated(EnumType.STRING)
    @Column(name = "from_mode")
    public SupervisionMode fromMode;

    @Enumerated(EnumType.STRING)
    @Column(name = "to_mode")
    public SupervisionMode toMode;

    @Enumerated(EnumType.STRING)
    public TriggerSource trigger;

    @Column(name = "changed_at")
    public Instant changedAt;

    /** The API credential that asked for the change (API triggers only). */
    @Column(name = "credential_id")
    public Long credentialId;
    @Column(name = "credential_username")
    public String credentialUsername;

    public static void record(UUID sessionId, SupervisionMode from, SupervisionMode to, TriggerSource trigger) {
        record(sessionId, from, to, trigger, null);
    }

    public static void record(UUID sessionId, SupervisionMode from, SupervisionMode to, TriggerSource trigger,
                              ApiActor actor) {
        ModeChange change = new ModeChange();
        if (actor != null) {
            change.credentialId = actor.credentialId();
            change.credentialUsername = actor.username();
        }
        change.sessionId = sessionId;
        change.fromMode = from;
        change.toMode = to;
        change.trigger = trigger;
        change.changedAt = Instant.now();
        change.persist();
    }

    public static List<ModeChange> history(UUID sessionId) {
        return list("sessionId = ?1 order by id", sessionId);
    }
}
