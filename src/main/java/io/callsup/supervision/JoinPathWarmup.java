package io.callsup.supervision;

import io.callsup.calls.ActiveCall;
import io.callsup.tenant.Account;
import io.callsup.tenant.HuntGroupMember;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Runs the join and switch paths' queries once at start-up, with arguments that match nothing, so
 * Hibernate translates them (HQL to SQL, cached per query text) before the first supervisor
 * waits: measured cold, the first dial-in's admission took 100-280 ms on this 2-core host, and a
 * soak's first joins, arriving together right after start-up, missed the 1.5 s decision deadline.
 * Nothing is written and nothing is locked (no row matches); a database that is not up yet only
 * costs the warm-up.
 */
@ApplicationScoped
class JoinPathWarmup {

    private static final Logger LOG = Logger.getLogger(JoinPathWarmup.class);
    private static final String NONE = "callsup-warm-up.invalid";

    private final ManagedExecutor executor;

    JoinPathWarmup(ManagedExecutor executor) {
        this.executor = executor;
    }

    /** In the background: start-up and readiness never wait on it (nor on a database that is not up). */
    void onStart(@Observes StartupEvent start) {
        executor.runAsync(this::prepare);
    }

    private void prepare() {
        long t0 = System.nanoTime();
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                DialInAdmission.warmUp(NONE);
                Account.findByExtension(-1, NONE);
                ActiveCall.ofAccount(-1);
                HuntGroupMember.listForAccounts(List.of(-1L, -2L));
                SupervisionSession.lockLiveBySupervisorTag(NONE, NONE);
                SupervisionSession.lockLiveBySupervisorLeg(NONE);
                SessionRunner.warmUp();
            });
            LOG.debugf("join path queries prepared in %d ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.infof("join path queries not prepared at start-up (%s); the first join prepares them", e.getMessage());
        }
    }
}
