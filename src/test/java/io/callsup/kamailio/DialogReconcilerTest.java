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
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reconciliation against the real Kamailio's dlg.list corrects what lost events and dead replicas
 * leave behind: a call Kamailio no longer has, and a join nobody is driving any more.
 */
@QuarkusTest
class DialogReconcilerTest {

    @Inject
    DialogReconciler reconciler;

    @Inject
    CallRegistry registry;

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

        // A periodic pass may be running at this very moment; either pass makes the corrections.
        reconciler.reconcile();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && QuarkusTransaction.requiringNew().call(
                () -> SupervisionSession.<SupervisionSession>findById(abandoned).state) != SessionState.ENDED) {
            reconciler.reconcile();
        }

        assertThat(QuarkusTransaction.requiringNew().call(() -> ActiveCall.findByIdOptional(ghostCall))).isEmpty();
        SupervisionSession ended = QuarkusTransaction.requiringNew().call(() -> SupervisionSession.findById(abandoned));
        assertThat(ended.state).isEqualTo(SessionState.ENDED);
        assertThat(ended.endReason).isEqualTo(EndReason.ORIGINATION_FAILED);
    }
}
