package io.callsup.supervision;

import io.callsup.model.SessionState;
import io.callsup.supervision.machine.SessionTrigger;
import io.callsup.supervision.port.MediaMixer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Keeps rtpengine's real flows and the session table in step, in the safe direction both ways: no
 * supervisor party without a live session (removed), no ACTIVE session without its media (ended as
 * media-lost), no session left ENDING (teardown retried), no join left unconfirmed (timed out).
 * Each daemon is pinged so a crash is noticed in seconds, not at the next command. The pass runs on
 * one replica at a time (PostgreSQL advisory lock); pings run everywhere, and their consequences go
 * through the session machine, so two replicas noticing the same crash end each session once.
 */
@ApplicationScoped
public class MediaReconciler {

    private static final Logger LOG = Logger.getLogger(MediaReconciler.class);
    // Arbitrary, fixed: the advisory lock that elects the replica running the pass.
    static final long PASS_LOCK = 0x63616c6c73757031L;

    private final MediaMixer media;
    private final SessionRunner runner;
    private final SupervisionConfig config;
    private final ManagedExecutor executor;
    private final Vertx vertx;
    private final EntityManager em;
    private final Map<String, Integer> failedPings = new ConcurrentHashMap<>();
    private final Set<String> suspectedOrphans = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean passRunning = new AtomicBoolean();
    private final AtomicBoolean pingRunning = new AtomicBoolean();
    private long passTimer = -1;
    private long pingTimer = -1;

    public MediaReconciler(MediaMixer media, SessionRunner runner, SupervisionConfig config, ManagedExecutor executor,
                           Vertx vertx, EntityManager em) {
        this.media = media;
        this.runner = runner;
        this.config = config;
        this.executor = executor;
        this.vertx = vertx;
        this.em = em;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.mediaReconcile()) {
            return;
        }
        passTimer = vertx.setPeriodic(config.mediaReconcileInterval().toMillis(), id -> executor.runAsync(this::passQuietly));
        pingTimer = vertx.setPeriodic(config.pingInterval().toMillis(), id -> executor.runAsync(this::pingQuietly));
    }

    void onStop(@Observes ShutdownEvent event) {
        if (passTimer >= 0) {
            vertx.cancelTimer(passTimer);
        }
        if (pingTimer >= 0) {
            vertx.cancelTimer(pingTimer);
        }
    }

    private void pingQuietly() {
        if (!pingRunning.compareAndSet(false, true)) {
            return;
        }
        try {
            ping();
        } catch (RuntimeException e) {
            LOG.warnf("rtpengine ping round failed: %s", e.getMessage());
        } finally {
            pingRunning.set(false);
        }
    }

    /** One ping round; a daemon that failed {@code pingFailures} pings in a row has its sessions ended. */
    public void ping() {
        for (String daemon : media.daemons()) {
            if (media.alive(daemon)) {
                Integer before = failedPings.put(daemon, 0);
                if (before != null && before >= config.pingFailures()) {
                    LOG.infof("rtpengine %s answers again; reconciling now", daemon);
                    executor.runAsync(this::passQuietly);
                }
                continue;
            }
            int failures = failedPings.merge(daemon, 1, Integer::sum);
            if (failures == config.pingFailures()) {
                LOG.errorf("rtpengine %s missed %d pings: ending its supervision sessions as media-lost", daemon, failures);
                daemonLost(daemon);
            }
        }
    }

    private void daemonLost(String daemon) {
        List<UUID> ids = QuarkusTransaction.requiringNew().call(() -> SupervisionSession.<SupervisionSession>list(
                "mediaDaemon = ?1 and state in ?2", daemon, List.of(SessionState.JOINING, SessionState.ACTIVE))
                .stream().map(s -> s.id).toList());
        ids.forEach(id -> runner.apply(id, new SessionTrigger.MediaLost()));
    }

    private void passQuietly() {
        try {
            pass();
        } catch (RuntimeException e) {
            LOG.warnf("media reconciliation failed (will retry): %s", e.getMessage());
        }
    }

    /** One pass; returns how many sessions or parties it corrected (0 when another replica holds the pass). */
    public int pass() {
        if (!passRunning.compareAndSet(false, true)) {
            return 0;
        }
        try {
            // The advisory lock lives as long as this (outer) transaction; each correction runs in its own.
            return QuarkusTransaction.requiringNew().timeout(300).call(() -> {
                Object got = em.createNativeQuery("select pg_try_advisory_xact_lock(?1)").setParameter(1, PASS_LOCK)
                        .getSingleResult();
                return Boolean.TRUE.equals(got) ? correct() : 0;
            });
        } finally {
            passRunning.set(false);
        }
    }

    private int correct() {
        int corrected = 0;
        for (UUID id : ids(SessionState.ENDING, null)) {
            runner.apply(id, new SessionTrigger.RetryTeardown());
            corrected++;
        }
        // A dial-in whose confirmation never came (the replica that accepted it may have died).
        Instant unconfirmed = Instant.now().minus(config.confirmDeadline()).minus(config.decisionDeadline());
        for (UUID id : ids(SessionState.JOINING, unconfirmed)) {
            if (runner.apply(id, s -> s.dialledIn ? new SessionTrigger.JoinTimedOut() : null, null)
                    .map(s -> s.state != SessionState.JOINING).orElse(false)) {
                corrected++;
            }
        }
        Set<String> reachable = media.daemons().stream().filter(media::alive).collect(Collectors.toSet());
        List<SupervisionSession> active = QuarkusTransaction.requiringNew().call(() -> SupervisionSession.inState(SessionState.ACTIVE));
        // One view per daemon, taken after the sessions were read (a session read as ACTIVE had its
        // party labelled before), serves both directions: querying each call once instead of up to
        // three times kept rtpengine's single ng thread busy for a fifth of its time at 25 calls.
        Map<String, Map<String, MediaMixer.CallMedia>> views = new java.util.HashMap<>();
        for (String daemon : reachable) {
            try {
                views.put(daemon, media.supervisedCallMedia(daemon).stream()
                        .collect(Collectors.toMap(MediaMixer.CallMedia::callId, c -> c, (a, b) -> a)));
            } catch (RuntimeException e) {
                LOG.warnf("rtpengine %s: its supervised calls could not be read (next pass retries): %s", daemon,
                        e.getMessage());
            }
        }
        for (SupervisionSession s : active) {
            if (s.mediaDaemon == null || !reachable.contains(s.mediaDaemon)) {
                continue;
            }
            Map<String, MediaMixer.CallMedia> view = views.get(s.mediaDaemon);
            Optional<MediaMixer.CallMedia> call = view != null ? Optional.ofNullable(view.get(s.callId))
                    : inspect(s.mediaDaemon, s.callId);
            if (view != null && (call.isEmpty() || !call.get().supervisorTags().contains(s.supervisorTag))) {
                // The view is a whole daemon's, read call by call: confirm on the call itself, now.
                call = inspect(s.mediaDaemon, s.callId);
            }
            if (call == null) {
                continue;
            }
            if (call.isEmpty() || !call.get().supervisorTags().contains(s.supervisorTag)) {
                // Decided on the locked row: a session that ended during this pass (a pass under load
                // takes seconds) lost its media by ending, not by rtpengine, and is neither logged nor touched.
                boolean[] lost = {false};
                runner.apply(s.id, row -> {
                    lost[0] = row.state == SessionState.ACTIVE;
                    return lost[0] ? new SessionTrigger.MediaLost() : null;
                }, null);
                if (lost[0]) {
                    LOG.warnf("session %s: rtpengine %s no longer holds %s in call %s: media lost", s.id,
                            s.mediaDaemon, s.supervisorTag, s.callId);
                    corrected++;
                }
            }
        }
        for (Map.Entry<String, Map<String, MediaMixer.CallMedia>> view : views.entrySet()) {
            corrected += removeOrphans(view.getKey(), view.getValue().values());
        }
        if (corrected > 0) {
            LOG.infof("media reconciliation: %d correction(s)", corrected);
        }
        return corrected;
    }

    /**
     * Supervisor parties in rtpengine whose session is not live: removed once seen so in two passes
     * in a row, because a join labels its party a moment before its session row names that party.
     */
    private int removeOrphans(String daemon, java.util.Collection<MediaMixer.CallMedia> calls) {
        int removed = 0;
        Set<String> seen = new java.util.HashSet<>();
        for (MediaMixer.CallMedia call : calls) {
            String callId = call.callId();
            for (String tag : call.supervisorTags()) {
                List<SupervisionSession> owners = QuarkusTransaction.requiringNew().call(() -> SupervisionSession
                        .<SupervisionSession>list("callId = ?1 and supervisorTag = ?2 order by startedAt desc", callId, tag));
                if (owners.stream().anyMatch(SupervisionSession::live)) {
                    continue;
                }
                String key = daemon + " " + callId + " " + tag;
                seen.add(key);
                if (!suspectedOrphans.contains(key)) {
                    continue;
                }
                if (owners.isEmpty()) {
                    // Sessions are never deleted, so this party is no session's: not ours to guess its legs.
                    LOG.errorf("rtpengine %s holds supervisor %s in call %s that no session ever named; left alone",
                            daemon, tag, callId);
                    continue;
                }
                LOG.warnf("rtpengine %s holds supervisor %s in call %s with no live session: removing it", daemon, tag,
                        callId);
                MediaMixer.MediaRef r = owners.get(0).mediaRef();
                try {
                    media.remove(new MediaMixer.MediaRef(callId, daemon, r.agentTag(), r.clientTag(), tag));
                    removed++;
                } catch (RuntimeException e) {
                    LOG.errorf("removing orphan supervisor %s from call %s failed (next pass retries): %s", tag, callId,
                            e.getMessage());
                }
            }
        }
        suspectedOrphans.removeIf(k -> k.startsWith(daemon + " ") && !seen.contains(k));
        suspectedOrphans.addAll(seen);
        return removed;
    }

    /** null: the daemon could not be asked (skip, the pings judge the daemon). */
    private Optional<MediaMixer.CallMedia> inspect(String daemon, String callId) {
        try {
            return media.inspect(daemon, callId);
        } catch (RuntimeException e) {
            LOG.debugf("query of %s on %s failed: %s", callId, daemon, e.getMessage());
            return null;
        }
    }

    private static List<UUID> ids(SessionState state, Instant olderThan) {
        return QuarkusTransaction.requiringNew().call(() -> (olderThan == null
                ? SupervisionSession.inState(state)
                : SupervisionSession.<SupervisionSession>list("state = ?1 and startedAt < ?2", state, olderThan))
                .stream().map(s -> s.id).toList());
    }
}
