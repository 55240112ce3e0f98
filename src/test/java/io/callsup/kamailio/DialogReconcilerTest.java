package io.callsup.kamailio;

import io.callsup.calls.ActiveCall;
import io.callsup.calls.CallRegistry;
import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.TestApi;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reconciliation against the real Kamailio's dlg.list corrects what lost events and dead replicas
 * leave behind: a call Kamailio no longer has, and a join nobody is driving any more. And with a
 * fake Kamailio: what it must never take for "every call ended" (a failing dlg.list, an empty one
 * right after a restart, one missing look).
 */
@QuarkusTest
class DialogReconcilerTest {

    @Inject
    DialogReconciler reconciler;

    @Inject
    CallRegistry registry;

    @Inject
    KamailioConfig config;

    @Inject
    io.callsup.supervision.SupervisionService supervision;

    @Inject
    org.eclipse.microprofile.context.ManagedExecutor executor;

    @Inject
    io.vertx.core.Vertx vertx;

    @Test
    void staleCallsAndAbandonedJoinsAreCleanedUp() {
        TestApi.Tenant abc = TestApi.newTenant("ABC", true);
        long john = TestApi.newAccount(abc, "744", "John");
        long adam = TestApi.newAccount(abc, "745", "Adam");
        String ghostCall = TestApi.unique("ghost");
        // Kamailio never had this dialog: its end event was "lost".
        registry.started(new CallRegistry.Dialog(ghostCall, "f", "t", "client", "carrier.test", "744",
                abc.sipDomain(), false, 1L, 1L));
        UUID abandoned = UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> {
            SupervisionSession s = new SupervisionSession();
            s.id = abandoned;
            s.customerId = abc.customerId();
            s.supervisorAccountId = adam;
            s.agentAccountId = john;
            s.callId = ghostCall;
            s.agentTag = "t";
            s.clientTag = "f";
            s.supervisorTag = "sup-" + abandoned.toString().substring(0, 13);
            s.dialledIn = false;
            s.state = SessionState.JOINING;
            s.mode = SupervisionMode.SPY;
            s.joinedBy = SupervisionSession.JoinedBy.APPLICATION;
            s.credentialRealm = "CUSTOMER";
            s.startedAt = Instant.now().minus(Duration.ofHours(1));
            s.persist();
        });

        // A periodic pass may be running at this very moment; either pass makes the corrections. The
        // ghost needs two passes that miss it, once Kamailio is past its restart grace (5 s in tests).
        reconciler.reconcile();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && (QuarkusTransaction.requiringNew().call(
                () -> SupervisionSession.<SupervisionSession>findById(abandoned).state) != SessionState.ENDED
                || QuarkusTransaction.requiringNew().call(() -> ActiveCall.findByIdOptional(ghostCall)).isPresent())) {
            sleep(200);
            reconciler.reconcile();
        }

        assertThat(QuarkusTransaction.requiringNew().call(() -> ActiveCall.findByIdOptional(ghostCall))).isEmpty();
        SupervisionSession ended = QuarkusTransaction.requiringNew().call(() -> SupervisionSession.findById(abandoned));
        assertThat(ended.state).isEqualTo(SessionState.ENDED);
        assertThat(ended.endReason).isEqualTo(EndReason.ORIGINATION_FAILED);
    }

    @Test
    void aFailingOrFreshlyRestartedKamailioEndsNoCallAndOneMissingLookIsNotEnough() {
        TestApi.Tenant abc = TestApi.newTenant("ABC", true);
        TestApi.newAccount(abc, "744", "John");
        String call = TestApi.unique("live");
        registry.started(new CallRegistry.Dialog(call, "f", "t", "client", "carrier.test", "744",
                abc.sipDomain(), false, 1L, 1L));
        FakeKamailio kamailio = new FakeKamailio(call);
        // Its own reconciler (not the application's, whose periodic passes talk to the real Kamailio).
        DialogReconciler reconciler = new DialogReconciler(kamailio, config, registry, supervision, executor, vertx);

        // Kamailio is down: dlg.list fails, nothing is corrected.
        kamailio.down = true;
        assertThatThrownBy(reconciler::reconcile).isInstanceOf(KamailioRpcException.class);
        assertThat(tracked(call)).isTrue();

        // Back, 1 s old, and without our call (say its dialog table was lost): within the grace
        // nothing is ended, however often we look.
        kamailio.down = false;
        kamailio.uptime = Duration.ofSeconds(1);
        reconciler.reconcile();
        reconciler.reconcile();
        assertThat(tracked(call)).isTrue();

        // An hour old now: another process than a moment ago (a restart), so the count starts again ...
        kamailio.uptime = Duration.ofHours(1);
        reconciler.reconcile();
        assertThat(tracked(call)).isTrue();
        // ... the first settled pass that misses the call only notes it ...
        reconciler.reconcile();
        assertThat(tracked(call)).isTrue();
        // ... a failed pass in between breaks the streak ...
        kamailio.down = true;
        assertThatThrownBy(reconciler::reconcile).isInstanceOf(KamailioRpcException.class);
        kamailio.down = false;
        reconciler.reconcile();
        assertThat(tracked(call)).isTrue();
        // ... and the second consecutive successful pass ends it.
        reconciler.reconcile();
        assertThat(tracked(call)).isFalse();
    }

    private static boolean tracked(String callId) {
        return QuarkusTransaction.requiringNew().call(() -> ActiveCall.findByIdOptional(callId)).isPresent();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A Kamailio whose dlg.list has every call the registry tracks except {@code missing} (so that
     * other tests' calls are left alone), which can be down, and whose uptime is set by the test.
     */
    final class FakeKamailio implements KamailioRpc {
        private final String missing;
        volatile boolean down;
        volatile Duration uptime = Duration.ofHours(1);

        FakeKamailio(String missing) {
            this.missing = missing;
        }

        @Override
        public List<DialogInfo> confirmedDialogs() {
            if (down) {
                throw new KamailioRpcException("connection refused (fake)");
            }
            List<DialogInfo> dialogs = new ArrayList<>();
            for (String callId : registry.trackedCallIds()) {
                if (!callId.equals(missing)) {
                    ActiveCall c = QuarkusTransaction.requiringNew().call(() -> ActiveCall.findById(callId));
                    if (c != null) {
                        dialogs.add(new DialogInfo(callId, c.fromTag, c.toTag, null, null, 4,
                                c.hEntry == null ? 0 : c.hEntry, c.hId == null ? 0 : c.hId, Map.of()));
                    }
                }
            }
            return dialogs;
        }

        @Override
        public Duration uptime() {
            if (down) {
                throw new KamailioRpcException("connection refused (fake)");
            }
            return uptime;
        }

        @Override
        public boolean endDialog(DialogKey dialog, String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public UacReply uacWait(String method, String ruri, String nextHop, String sendSocket, String headers,
                                String body) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void cancel(String callId, String cseq) {
            throw new UnsupportedOperationException();
        }
    }
}
