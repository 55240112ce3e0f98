package io.callsup.supervision;

import io.callsup.audit.OutboxEvent;
import io.callsup.testsupport.FakeMixer;
import io.callsup.testsupport.FakePhone;
import io.callsup.testsupport.Sequences;
import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.model.TriggerSource;
import io.callsup.supervision.machine.SessionTrigger;
import io.callsup.supervision.AuditTrail;
import io.callsup.events.LiveEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Event;
import org.eclipse.microprofile.context.ManagedExecutor;
import io.callsup.testsupport.TestApi;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The facade and runner against in-process fakes of rtpengine and of the supervisor's phone, with
 * the real database and audit outbox: what each failure leaves behind.
 */
@QuarkusTest
class SessionRunnerTest {

    @Inject
    AgroalDataSource dataSource;
    @Inject
    AuditTrail audit;
    @Inject
    Event<LiveEvent> live;
    @Inject
    DialInAdmission admission;
    @Inject
    ApplicationJoins joins;
    @Inject
    SupervisionConfig config;
    @Inject
    Vertx vertx;
    @Inject
    ManagedExecutor executor;
    @Inject
    SupervisionMetrics metrics;

    SessionRunner runner;
    SerialTriggers serial;
    SupervisionService supervision;

    FakeMixer mixer;
    List<String> byes;
    TestApi.Tenant tenant;
    long supervisor;
    long agent;

    @BeforeEach
    void fakes() {
        mixer = new FakeMixer();
        FakePhone phone = new FakePhone();
        byes = phone.released;
        // The real beans around the two fakes: database, audit outbox, ordering.
        runner = new SessionRunner(mixer, phone, audit, live, metrics);
        serial = new SerialTriggers(executor);
        supervision = new SupervisionService(admission, joins, runner, serial, mixer, audit, config, vertx, executor, metrics);
        tenant = TestApi.newTenant("Runner", true);
        supervisor = TestApi.newAccount(tenant, "201", "Sup");
        agent = TestApi.newAccount(tenant, "202", "Agent");
        long group = TestApi.newHuntGroup(tenant, "G");
        TestApi.putMember(tenant, group, supervisor, true);
        TestApi.putMember(tenant, group, agent, false);
    }

    private UUID session(SessionState state, SupervisionMode mode) {
        return QuarkusTransaction.requiringNew().call(() -> {
            SupervisionSession s = new SupervisionSession();
            s.id = UUID.randomUUID();
            s.customerId = tenant.customerId();
            s.supervisorAccountId = supervisor;
            s.agentAccountId = agent;
            s.callId = "call-" + s.id;
            s.agentTag = "a";
            s.clientTag = "c";
            s.supervisorTag = "sup-" + s.id.toString().substring(0, 13);
            s.mediaDaemon = null;
            s.dialledIn = true;
            s.joinedBy = SupervisionSession.JoinedBy.CODE;
            s.supervisorCallId = "leg-" + s.id;
            s.supervisorFromTag = "ft";
            s.state = state;
            s.mode = mode;
            s.startedAt = Instant.now();
            s.activatedAt = state == SessionState.ACTIVE ? Instant.now() : null;
            s.persist();
            return s.id;
        });
    }

    private static SupervisionSession load(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> SupervisionSession.findById(id));
    }

    private static List<String> audit(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> OutboxEvent.<OutboxEvent>list("sessionId = ?1 order by id", id)
                .stream().map(e -> e.eventType.replace("io.callsup.supervision.", "")).toList());
    }

    @Test
    void aFailedActivationEndsTheJoinAsAFailureNeverAsStarted() {
        UUID id = session(SessionState.JOINING, SupervisionMode.SPY);
        mixer.failActivate = true;
        runner.apply(id, new SessionTrigger.Answered());
        SupervisionSession s = load(id);
        assertThat(s.state).isEqualTo(SessionState.ENDED);
        assertThat(s.endReason).isEqualTo(EndReason.MEDIA_FAILURE);
        assertThat(s.activatedAt).isNull();
        assertThat(mixer.calls).containsExactly("activate SPY", "remove " + s.supervisorTag);
        assertThat(audit(id)).containsExactly("denied");
        assertThat(byes).containsExactly(s.supervisorCallId + " Supervision media failure");
    }

    /**
     * Holds the media reconciler's pass lock (waiting out a pass in progress), so the application's
     * own reconciler, which talks to the real rtpengine, cannot retry this test's ENDING sessions
     * between its steps (it did once: ENDING read back as ENDED).
     */
    private void withReconcilerPaused(Runnable body) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("select pg_advisory_lock(" + MediaReconciler.PASS_LOCK + ")");
            try {
                body.run();
            } finally {
                // Explicitly: the pool keeps the connection (and a session-level lock) open.
                st.execute("select pg_advisory_unlock(" + MediaReconciler.PASS_LOCK + ")");
            }
        }
    }

    @Test
    void aTeardownRtpengineDoesNotConfirmStaysEndingUntilARetrySucceeds() throws SQLException {
        withReconcilerPaused(this::teardownStaysEndingUntilARetrySucceeds);
    }

    private void teardownStaysEndingUntilARetrySucceeds() {
        UUID id = session(SessionState.ACTIVE, SupervisionMode.WHISPER);
        mixer.failRemove = true;
        supervision.leave(id, EndReason.API);
        SupervisionSession ending = load(id);
        assertThat(ending.state).isEqualTo(SessionState.ENDING);
        assertThat(ending.endReason).isEqualTo(EndReason.API);
        // The phone is released at once; the audit does not yet claim the session ended.
        assertThat(byes).containsExactly(ending.supervisorCallId + " Supervision ended by application");
        assertThat(audit(id)).isEmpty();

        runner.apply(id, new SessionTrigger.RetryTeardown());
        assertThat(load(id).state).isEqualTo(SessionState.ENDING);
        mixer.failRemove = false;
        runner.apply(id, new SessionTrigger.RetryTeardown());
        SupervisionSession ended = load(id);
        assertThat(ended.state).isEqualTo(SessionState.ENDED);
        assertThat(ended.endReason).isEqualTo(EndReason.API);
        assertThat(audit(id)).containsExactly("ended");
        assertThat(mixer.calls).hasSize(3).allMatch(c -> c.startsWith("remove "));
        assertThat(byes).hasSize(1);
    }

    @Test
    void aFailedSwitchEndsTheSessionAndTheModeStaysWhatTheMediaHad() {
        UUID id = session(SessionState.ACTIVE, SupervisionMode.SPY);
        mixer.failSwitch = true;
        supervision.switchMode(id, SupervisionMode.BARGE, TriggerSource.API, null);
        SupervisionSession s = load(id);
        assertThat(s.state).isEqualTo(SessionState.ENDED);
        assertThat(s.endReason).isEqualTo(EndReason.MEDIA_FAILURE);
        assertThat(s.mode).isEqualTo(SupervisionMode.SPY);
        assertThat(audit(id)).containsExactly("ended");
    }

    @Test
    void aBurstOfDigitsIsAppliedInArrivalOrderAndEndsInTheLastDigitsMode() throws Exception {
        UUID id = session(SessionState.ACTIVE, SupervisionMode.SPY);
        String leg = load(id).supervisorCallId;
        List<SupervisionMode> perDigit = new ArrayList<>();
        for (int i = 0; i < 99; i++) {
            supervision.sipInfoDigit(leg, '2');
            supervision.sipInfoDigit(leg, '0');
            perDigit.add(SupervisionMode.BARGE);
            perDigit.add(SupervisionMode.SPY);
        }
        supervision.sipInfoDigit(leg, '9'); // no code of the rule: changes nothing
        supervision.sipInfoDigit(leg, '1');
        perDigit.add(SupervisionMode.WHISPER);
        awaitDrained(id, SupervisionMode.WHISPER);
        List<SupervisionMode> applied = history(id);
        // Queued digits are taken together, so not every digit is a switch; but whatever was applied
        // is, in order, the mode after some prefix of the burst, ending with the last digit's.
        assertThat(Sequences.isInOrderSubsequence(applied.subList(1, applied.size()), perDigit)).as("applied %s", applied).isTrue();
        assertThat(applied.get(applied.size() - 1)).isEqualTo(SupervisionMode.WHISPER);
        List<String> switches = new ArrayList<>();
        for (int i = 1; i < applied.size(); i++) {
            switches.add("switch " + applied.get(i - 1) + ">" + applied.get(i));
        }
        assertThat(mixer.calls).as("rtpengine got exactly the recorded switches").isEqualTo(switches);
        supervision.leave(id, EndReason.API);
        assertThat(load(id).state).isEqualTo(SessionState.ENDED);
    }

    @Test
    void digitsThatArriveOneAtATimeAreEachApplied() throws Exception {
        UUID id = session(SessionState.ACTIVE, SupervisionMode.SPY);
        String leg = load(id).supervisorCallId;
        for (char d : new char[] {'2', '0', '1', '2'}) {
            supervision.sipInfoDigit(leg, d);
            awaitDrained(id, null);
        }
        assertThat(history(id)).containsExactly(SupervisionMode.SPY, SupervisionMode.BARGE, SupervisionMode.SPY,
                SupervisionMode.WHISPER, SupervisionMode.BARGE);
        supervision.leave(id, EndReason.API);
    }

    /** Waits until the digit queue is empty (and, if given, the session is in {@code mode}). */
    private void awaitDrained(UUID id, SupervisionMode mode) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (serial.pending() > 0 || (mode != null && load(id).mode != mode)) {
            assertThat(System.nanoTime()).as("digits applied within 30 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static List<SupervisionMode> history(UUID id) {
        List<SupervisionMode> modes = new ArrayList<>();
        // The session row was inserted ACTIVE without a start record: the first entry is the first switch.
        modes.add(SupervisionMode.SPY);
        QuarkusTransaction.requiringNew().call(() -> ModeChange.history(id)).forEach(c -> modes.add(c.toMode));
        return modes;
    }
}
