package io.callsup.kamailio;

import io.callsup.calls.CallRegistry;
import io.callsup.cluster.SingleReplica;
import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.supervision.SupervisionService;
import io.callsup.supervision.SupervisorLegs;
import io.callsup.supervision.SupervisionSession;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes the call registry and the live sessions agree with Kamailio's dialogs: events can be lost
 * (Kamailio skips dialog:end for RPC-ended dialogs, the service may have been down), so dlg.list is
 * the correction, at start-up and then periodically.
 * <p>
 * Dialogs Kamailio has and the registry lacks are adopted at once. The other direction ends calls
 * and supervision sessions, so it is restart-safe ({@link DialogAbsence}): a failing dlg.list
 * corrects nothing, a Kamailio younger than {@link KamailioConfig#restartGrace()} ends nothing, and
 * a call counts as ended only when it is missing from two consecutive successful passes.
 */
@ApplicationScoped
public class DialogReconciler {

    private static final Logger LOG = Logger.getLogger(DialogReconciler.class);
    private static final Pattern SIP_URI = Pattern.compile("^sips?:([^@;>]+)@([^;>:]+)");
    // Arbitrary, fixed: the advisory lock that elects the replica running a pass.
    static final long PASS_LOCK = 0x63616c6c73757032L;
    // A session younger than this may still be waiting for its dialog to be confirmed.
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final KamailioRpc kamailio;
    private final KamailioConfig config;
    private final CallRegistry calls;
    private final SupervisionService supervision;
    private final ManagedExecutor executor;
    private final Vertx vertx;
    private final AtomicBoolean running = new AtomicBoolean();
    private final DialogAbsence absence;
    private final SingleReplica election;
    private long timer = -1;

    @Inject
    public DialogReconciler(KamailioRpc kamailio, KamailioConfig config, CallRegistry calls,
                            SupervisionService supervision, ManagedExecutor executor, Vertx vertx, SingleReplica election) {
        this.kamailio = kamailio;
        this.config = config;
        this.calls = calls;
        this.supervision = supervision;
        this.executor = executor;
        this.vertx = vertx;
        this.absence = new DialogAbsence(config.restartGrace());
        this.election = election;
    }

    /** One not elected (a component test's own, alone with its fake Kamailio): every pass runs. */
    DialogReconciler(KamailioRpc kamailio, KamailioConfig config, CallRegistry calls, SupervisionService supervision,
                     ManagedExecutor executor, Vertx vertx) {
        this(kamailio, config, calls, supervision, executor, vertx, null);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.reconcile()) {
            return;
        }
        executor.runAsync(this::reconcileQuietly);
        timer = vertx.setPeriodic(config.reconcileInterval().toMillis(), id -> executor.runAsync(this::reconcileQuietly));
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            LOG.warnf("reconciling with Kamailio's dialogs failed (will retry): %s", e.getMessage());
        }
    }

    /**
     * One pass; returns how many registry entries or sessions it corrected (0 when another replica
     * runs its pass now: one replica at a time, so two never end the same call twice).
     */
    public int reconcile() {
        if (!running.compareAndSet(false, true)) {
            return 0;
        }
        try {
            return election == null ? pass() : election.runAlone(PASS_LOCK, this::pass).orElse(0);
        } finally {
            running.set(false);
        }
    }

    private int pass() {
        List<KamailioRpc.DialogInfo> dialogs;
        Duration uptime;
        try {
            dialogs = kamailio.confirmedDialogs();
            // After dlg.list: if Kamailio restarted in between, the uptime shows it.
            uptime = kamailio.uptime();
        } catch (RuntimeException e) {
            absence.failed();
            throw e;
        }
        Set<String> alive = new HashSet<>();
        int corrected = 0;
        Set<String> tracked = new HashSet<>(calls.trackedCallIds());
        for (KamailioRpc.DialogInfo d : dialogs) {
            alive.add(d.callId());
            if (!tracked.contains(d.callId()) && calls.started(toDialog(d))) {
                corrected++;
                if (toDialog(d).supervisionLeg()) {
                    // Its start event was lost: the session learns the leg's second tag here.
                    SupervisorLegs.started(d.callId(), d.fromTag(), d.toTag());
                }
            }
        }
        Instant settled = Instant.now().minus(GRACE);
        List<SupervisionSession> live = QuarkusTransaction.requiringNew().call(() ->
                SupervisionSession.<SupervisionSession>list("state = ?1 and startedAt < ?2", SessionState.ACTIVE, settled));
        Set<String> missing = new HashSet<>();
        for (String callId : tracked) {
            if (!alive.contains(callId)) {
                missing.add(callId);
            }
        }
        for (SupervisionSession s : live) {
            if (!alive.contains(s.callId)) {
                missing.add(s.callId);
            }
            if (s.supervisorCallId != null && !alive.contains(s.supervisorCallId)) {
                missing.add(s.supervisorCallId);
            }
        }
        Set<String> gone = absence.confirm(missing, uptime, Instant.now());
        if (!missing.isEmpty() && gone.size() < missing.size()) {
            LOG.debugf("dlg.list lacks %d live call(s); %d confirmed ended (Kamailio up %ss, restart grace %s)",
                    missing.size(), gone.size(), uptime.toSeconds(), config.restartGrace());
        }
        for (String callId : tracked) {
            if (gone.contains(callId)) {
                calls.ended(callId);
                corrected++;
            }
        }
        for (SupervisionSession s : live) {
            if (gone.contains(s.callId)) {
                supervision.callEnded(s.callId);
                corrected++;
            } else if (s.supervisorCallId != null && gone.contains(s.supervisorCallId)) {
                supervision.supervisorLegEnded(s.supervisorCallId);
                corrected++;
            }
        }
        // A supervisor's leg Kamailio still holds after its session ended: the BYE was lost (e.g.
        // Kamailio was down when the session ended). Nothing else would ever release that phone.
        for (KamailioRpc.DialogInfo d : dialogs) {
            Optional<String> release = toDialog(d).supervisionLeg() ? supervision.lostRelease(d.callId())
                    : Optional.empty();
            if (release.isPresent()) {
                LOG.warnf("supervisor leg %s outlived its session: hanging it up (%s)", d.callId(), release.get());
                kamailio.endDialog(new KamailioRpc.DialogKey(d.callId(), d.fromTag(), d.toTag()), release.get());
                corrected++;
            }
        }
        // A join outlives ring timeout plus t_uac_wait only when the replica driving it died.
        Instant abandoned = Instant.now().minus(config.ringTimeout()).minus(config.uacWaitTimeout());
        List<java.util.UUID> stuck = QuarkusTransaction.requiringNew().call(() ->
                SupervisionSession.<SupervisionSession>list("state = ?1 and startedAt < ?2", SessionState.JOINING,
                        abandoned).stream().map(s -> s.id).toList());
        for (java.util.UUID id : stuck) {
            supervision.abandonJoin(id);
            corrected++;
        }
        if (corrected > 0) {
            LOG.infof("reconciled with Kamailio: %d dialogs confirmed, %d corrections", dialogs.size(), corrected);
        }
        return corrected;
    }

    static CallRegistry.Dialog toDialog(KamailioRpc.DialogInfo d) {
        String[] from = userAndDomain(d.fromUri());
        String[] to = userAndDomain(d.toUri());
        // Dialled legs go to a code; service-originated legs (route[ORIGINATED]) carry cs_sup=1.
        boolean supervisionLeg = to[0] != null && (to[0].startsWith("*") || to[0].startsWith("#"))
                || "1".equals(d.variables() == null ? null : d.variables().get("cs_sup"));
        return new CallRegistry.Dialog(d.callId(), d.fromTag(), d.toTag(), from[0], from[1], to[0], to[1],
                supervisionLeg, d.hEntry(), d.hId());
    }

    private static String[] userAndDomain(String uri) {
        if (uri == null) {
            return new String[2];
        }
        Matcher m = SIP_URI.matcher(uri.replaceFirst("^.*<", ""));
        return m.find() ? new String[]{m.group(1), m.group(2)} : new String[2];
    }
}
