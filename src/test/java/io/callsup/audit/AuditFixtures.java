package io.callsup.audit;

import io.callsup.model.EndReason;
import io.callsup.supervision.ModeChange;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.model.TriggerSource;
import io.callsup.testsupport.TestApi;
import io.quarkus.narayana.jta.QuarkusTransaction;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;


/**
 * A tenant built through the public API (ABC, Support group, John 744 agent, Adam 745 allowed to
 * supervise) and session changes written exactly as {@code SupervisionService} writes them: one
 * transaction per change, the row and mode history first, then the real {@link AuditTrail}. No SIP.
 */
final class AuditFixtures {

    static final String CLIENT_NUMBER = "+4930123456789";

    final TestApi.Tenant tenant;
    final long john;
    final long adam;
    final long support;
    private final AuditTrail audit;

    AuditFixtures(AuditTrail audit) {
        this.audit = audit;
        tenant = TestApi.newTenant("ABC", true);
        john = TestApi.newAccount(tenant, "744", "John");
        adam = TestApi.newAccount(tenant, "745", "Adam");
        support = TestApi.newHuntGroup(tenant, "Support");
        TestApi.putMember(tenant, support, john, false);
        TestApi.putMember(tenant, support, adam, true);
    }

    long customerId() {
        return tenant.customerId();
    }

    /** The administrator's per-customer switch, through the admin API. */
    void showClientNumber(boolean show) {
        TestApi.admin().body(Map.of("name", "ABC", "sipDomain", tenant.sipDomain(), "supervisionEnabled", true,
                        "showClientNumber", show))
                .put("/api/v1/admin/customers/" + tenant.customerId()).then().statusCode(200);
    }

    /** Adam dialled a code and the session became active in {@code mode}. */
    UUID start(SupervisionMode mode) {
        return QuarkusTransaction.requiringNew().call(() -> {
            SupervisionSession s = new SupervisionSession();
            s.id = UUID.randomUUID();
            s.customerId = tenant.customerId();
            s.supervisorAccountId = adam;
            s.agentAccountId = john;
            s.callId = "call-" + s.id;
            s.agentTag = "agent-tag";
            s.clientTag = "client-tag";
            s.clientNumber = CLIENT_NUMBER;
            s.supervisorTag = "sup-" + s.id.toString().substring(0, 13);
            s.mediaDaemon = "test";
            s.dialledIn = true;
            s.joinedBy = SupervisionSession.JoinedBy.CODE;
            s.authorisedByGroup = support;
            s.mode = mode;
            s.state = SessionState.ACTIVE;
            s.startedAt = Instant.now();
            s.persist();
            ModeChange.record(s.id, null, mode, TriggerSource.CODE);
            audit.started(s, TriggerSource.CODE);
            return s.id;
        });
    }

    void switchMode(UUID id, SupervisionMode to, TriggerSource trigger) {
        QuarkusTransaction.requiringNew().run(() -> {
            SupervisionSession s = SupervisionSession.findById(id);
            SupervisionMode from = s.mode;
            ModeChange.record(s.id, from, to, trigger);
            s.mode = to;
            audit.modeChanged(s, from, to, trigger);
        });
    }

    void end(UUID id, EndReason reason) {
        QuarkusTransaction.requiringNew().run(() -> {
            SupervisionSession s = SupervisionSession.findById(id);
            s.state = SessionState.ENDED;
            s.endReason = reason;
            s.endedAt = Instant.now();
            audit.ended(s);
        });
    }

    /** Adam dialled a code for an extension that does not exist. */
    void deniedUnknownExtension() {
        QuarkusTransaction.requiringNew().run(() -> audit.denied(new Denial(tenant.customerId(), adam, null, "*90799",
                null, TriggerSource.CODE, "UNKNOWN_EXTENSION", null, null)));
    }

    /** The seed's story without SIP: *90744, then 1, 2, 0 as RFC 4733 digits, then the call ends. */
    UUID story(long pauseMs) throws InterruptedException {
        UUID id = start(SupervisionMode.SPY);
        Thread.sleep(pauseMs);
        switchMode(id, SupervisionMode.WHISPER, TriggerSource.RFC4733);
        Thread.sleep(pauseMs);
        switchMode(id, SupervisionMode.BARGE, TriggerSource.RFC4733);
        Thread.sleep(pauseMs);
        switchMode(id, SupervisionMode.SPY, TriggerSource.RFC4733);
        Thread.sleep(pauseMs);
        end(id, EndReason.CALL_ENDED);
        return id;
    }

    static String selector(long customerId) {
        return "customerId = " + customerId;
    }


}
