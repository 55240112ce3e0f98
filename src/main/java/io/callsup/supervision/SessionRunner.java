package io.callsup.supervision;

import io.callsup.events.LiveEvent;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.model.TriggerSource;
import io.callsup.supervision.machine.Effect;
import io.callsup.supervision.machine.SessionMachine;
import io.callsup.supervision.machine.SessionSnapshot;
import io.callsup.supervision.machine.SessionTrigger;
import io.callsup.supervision.machine.Transition;
import io.callsup.supervision.port.MediaMixer;
import io.callsup.supervision.port.SupervisorPhone;
import io.callsup.supervision.port.Traced;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs the session machine's effects through the ports. One trigger = one transaction holding the
 * session's row lock (so triggers on one session never interleave, across replicas too); media
 * commands run inside it and must be confirmed before the new state commits; the supervisor's phone
 * is told after the commit, so a BYE never goes out for a state that rolled back.
 */
@ApplicationScoped
public class SessionRunner {

    private static final Logger LOG = Logger.getLogger(SessionRunner.class);
    // A hang-up right after an answer can find Kamailio's dialog not yet confirmed (ACK in flight).
    private static final int HANGUP_ATTEMPTS = 10;
    private static final long HANGUP_RETRY_MS = 100;

    private final MediaMixer media;
    private final SupervisorPhone phone;
    private final AuditTrail audit;
    private final Event<LiveEvent> live;
    private final SupervisionMetrics metrics;

    public SessionRunner(MediaMixer media, SupervisorPhone phone, AuditTrail audit, Event<LiveEvent> live,
                         SupervisionMetrics metrics) {
        this.media = media;
        this.phone = phone;
        this.audit = audit;
        this.live = live;
        this.metrics = metrics;
    }

    /** Applies {@code trigger}; empty when there is no such session. */
    @Traced("callsup.session")
    public Optional<SupervisionSession> apply(UUID id, SessionTrigger trigger) {
        return apply(id, row -> trigger, null);
    }

    /**
     * Applies the trigger that {@code decide} derives from the locked row (null: nothing to do), so a
     * decision that reads the session (its rule, its authorisation) is made under the same lock.
     */
    @Traced("callsup.session")
    public Optional<SupervisionSession> apply(UUID id, Function<SupervisionSession, SessionTrigger> decide, ApiActor actor) {
        return applyToFound(() -> Optional.of(id), decide, actor);
    }

    /**
     * As {@link #apply(UUID, Function, ApiActor)} for the session {@code find} names, looked up in
     * the same transaction: a digit reaches rtpengine in one short transaction.
     */
    @Traced("callsup.session")
    public Optional<SupervisionSession> applyToFound(Supplier<Optional<UUID>> find,
                                                     Function<SupervisionSession, SessionTrigger> decide, ApiActor actor) {
        return applyToLocked(() -> find.get().flatMap(SupervisionSession::lock), decide, actor);
    }

    /**
     * As {@link #applyToFound} for a finder that locks the row it returns itself (one statement:
     * {@link SupervisionSession#lockLiveBySupervisorTag}); it runs inside the trigger's transaction.
     */
    @Traced("callsup.session")
    public Optional<SupervisionSession> applyToLocked(Supplier<Optional<SupervisionSession>> lockedFind,
                                                      Function<SupervisionSession, SessionTrigger> decide, ApiActor actor) {
        List<Effect> phoneEffects = new ArrayList<>();
        SupervisionSession row = QuarkusTransaction.requiringNew().call(() -> {
            SupervisionSession s = lockedFind.get().orElse(null);
            if (s != null) {
                SessionTrigger trigger = decide.apply(s);
                if (trigger != null) {
                    step(s, trigger, actor, phoneEffects, 0);
                }
            }
            return s;
        });
        if (row != null) {
            phoneEffects.forEach(e -> tellPhone(row, e));
        }
        return Optional.ofNullable(row);
    }

    /**
     * Applies {@code trigger} to a session the caller's transaction created and has not committed
     * (nobody else can see it, so there is nothing to lock): a dial-in whose media preparation
     * failed or came too late ends through the machine in the transaction that admitted it. Phone
     * effects are returned, to be run after that transaction commits ({@link #tellPhone}).
     */
    List<Runnable> applyUncommitted(SupervisionSession row, SessionTrigger trigger) {
        List<Effect> phoneEffects = new ArrayList<>();
        step(row, trigger, null, phoneEffects, 0);
        return phoneEffects.stream().<Runnable>map(e -> () -> tellPhone(row, e)).toList();
    }

    private void step(SupervisionSession row, SessionTrigger trigger, ApiActor actor, List<Effect> phoneEffects, int depth) {
        SessionSnapshot before = row.snapshot();
        Transition t = SessionMachine.next(before, trigger);
        if (!t.changed()) {
            return;
        }
        if (depth > 3) {
            throw new IllegalStateException("session " + row.id + ": transition loop at " + trigger);
        }
        LOG.debugf("session %s: %s + %s -> %s %s", row.id, before.state(), trigger, t.next().state(), t.effects());
        write(row, t.next());
        boolean removed = false;
        for (Effect e : t.effects()) {
            if (e instanceof Effect.RemoveMedia) {
                removed = removeMedia(row);
            } else if (e instanceof Effect.ActivateMedia || e instanceof Effect.SwitchMedia) {
                try {
                    runMedia(row, e);
                } catch (RuntimeException failure) {
                    metrics.mediaError(e instanceof Effect.ActivateMedia ? "activate" : "switch");
                    LOG.errorf("session %s: %s failed (%s); judged from %s", row.id, e, failure.getMessage(),
                            before.state());
                    // The transition did not happen: undo the row and let the machine end it from where it was.
                    write(row, before);
                    step(row, new SessionTrigger.MediaFailed(), actor, phoneEffects, depth + 1);
                    return;
                }
            } else if (e instanceof Effect.HangUp || e instanceof Effect.CancelRinging) {
                phoneEffects.add(e);
            } else {
                record(row, e, actor);
            }
        }
        if (removed) {
            step(row, new SessionTrigger.TeardownConfirmed(), actor, phoneEffects, depth + 1);
        }
    }

    private static void write(SupervisionSession row, SessionSnapshot s) {
        Instant now = Instant.now();
        row.state = s.state();
        row.mode = s.mode();
        row.endReason = s.endReason();
        if (s.wasActive() && row.activatedAt == null) {
            row.activatedAt = now;
        } else if (!s.wasActive()) {
            row.activatedAt = null;
        }
        // The supervisor's time ends when it is released, not when rtpengine confirmed the teardown.
        boolean over = s.state() == SessionState.ENDING || s.state() == SessionState.ENDED;
        if (!over) {
            row.endedAt = null;
        } else if (row.endedAt == null) {
            row.endedAt = now;
        }
    }

    private void runMedia(SupervisionSession row, Effect e) {
        if (e instanceof Effect.ActivateMedia a) {
            media.activate(row.mediaRef(), a.mode());
        } else if (e instanceof Effect.SwitchMedia w) {
            media.switchMode(row.mediaRef(), w.from(), w.to(), w.afterOwnDigit());
        }
    }

    /** True when rtpengine confirmed the supervisor gone; false keeps the session ENDING for the reconciler. */
    private boolean removeMedia(SupervisionSession row) {
        List<String> daemons = row.mediaDaemon != null ? List.of(row.mediaDaemon) : media.daemons();
        try {
            for (String d : daemons) {
                MediaMixer.MediaRef r = row.mediaRef();
                media.remove(new MediaMixer.MediaRef(r.callId(), d, r.agentTag(), r.clientTag(), r.supervisorTag()));
            }
            return true;
        } catch (RuntimeException failure) {
            metrics.mediaError("remove");
            LOG.warnf("session %s: media teardown not confirmed (%s); stays ENDING, the media reconciler retries",
                    row.id, failure.getMessage());
            return false;
        }
    }

    private void record(SupervisionSession row, Effect e, ApiActor actor) {
        preloadNames(row);
        if (e instanceof Effect.AuditStarted a) {
            ModeChange.record(row.id, null, row.mode, a.source(), actor);
            audit.started(row, a.source());
            fire(LiveEvent.SUPERVISION_STARTED, row, null, a.source());
        } else if (e instanceof Effect.AuditModeChanged m) {
            ModeChange.record(row.id, m.from(), m.to(), m.source(), actor);
            audit.modeChanged(row, m.from(), m.to(), m.source());
            fire(LiveEvent.SUPERVISION_MODE_CHANGED, row, m.from(), m.source());
        } else if (e instanceof Effect.AuditEnded) {
            audit.ended(row);
            fire(LiveEvent.SUPERVISION_ENDED, row, null, null);
        } else if (e instanceof Effect.AuditJoinFailed f) {
            TriggerSource source = row.joinedBy == SupervisionSession.JoinedBy.CODE ? TriggerSource.CODE : TriggerSource.API;
            audit.denied(new Denial(row.customerId, row.supervisorAccountId, row.agentAccountId, null, row.callId, source,
                    f.reason().name(), row.credentialRealm, row.credentialId, row.id));
            if (row.joinedBy == SupervisionSession.JoinedBy.APPLICATION) {
                fire(LiveEvent.SUPERVISION_FAILED, row, null, TriggerSource.API);
            }
        }
    }

    /**
     * Loads what an audit event names (customer, both accounts, the authorising hunt group) in one
     * statement, so the audit trail's look-ups by id find them in the persistence context instead of
     * sending four. Nothing is loaded when one of them is gone: the trail then looks each up itself
     * and names what is left.
     */
    private static void preloadNames(SupervisionSession row) {
        preloadNames(row.customerId, row.supervisorAccountId, row.agentAccountId, row.authorisedByGroup);
    }

    /** For {@link JoinPathWarmup}: the names' query, for ids nobody has. */
    static void warmUp() {
        preloadNames(-1, -1, -1, null);
    }

    private static void preloadNames(long customerId, long supervisorAccountId, long agentAccountId, Long group) {
        SupervisionSession.getEntityManager().createQuery("""
                        select c, sa, ta, g from Customer c
                        join Account sa on sa.id = :sup
                        join Account ta on ta.id = :agent
                        left join HuntGroup g on g.id = :group
                        where c.id = :customer""", Object[].class)
                .setParameter("customer", customerId).setParameter("sup", supervisorAccountId)
                .setParameter("agent", agentAccountId).setParameter("group", group == null ? -1L : group)
                .getResultList();
    }

    private void tellPhone(SupervisionSession row, Effect e) {
        if (row.supervisorCallId == null) {
            return;
        }
        try {
            if (e instanceof Effect.CancelRinging) {
                phone.cancelRinging(row.supervisorCallId);
                return;
            }
            hangUpLeg(row, ((Effect.HangUp) e).reasonText());
        } catch (RuntimeException failure) {
            metrics.kamailioError(e instanceof Effect.CancelRinging ? "cancel" : "hang-up");
            // The media is already gone; the dialog reconciler ends a leg Kamailio still holds.
            LOG.errorf("session %s: telling the supervisor's phone %s failed: %s", row.id, row.supervisorCallId,
                    failure.getMessage());
        }
    }

    /** BYE with {@code reason} on the supervisor's leg, retried briefly while Kamailio does not know it yet. */
    void hangUpLeg(SupervisionSession row, String reason) {
        try {
            for (int i = 0; i < HANGUP_ATTEMPTS; i++) {
                if (phone.hangUp(new SupervisorPhone.Leg(row.supervisorCallId, row.supervisorFromTag, row.supervisorToTag),
                        reason)) {
                    return;
                }
                Thread.sleep(HANGUP_RETRY_MS);
            }
            LOG.infof("session %s: supervisor leg %s not found to hang up (already gone)", row.id, row.supervisorCallId);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    void fire(String type, SupervisionSession s, SupervisionMode from, TriggerSource trigger) {
        live.fire(LiveEvent.session(type, s.customerId, s.callId, s.id, s.agentAccountId, s.supervisorAccountId, s.mode,
                from, trigger, s.endReason));
    }
}
