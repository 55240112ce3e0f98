package io.callsup.audit;

import io.callsup.supervision.Denial;

import io.callsup.supervision.AuditTrail;

import io.callsup.model.EndReason;
import io.callsup.events.LiveEvent;
import io.callsup.supervision.SessionRunner;
import io.callsup.supervision.machine.SessionTrigger;
import io.callsup.testsupport.FakeMixer;
import io.callsup.testsupport.FakePhone;
import jakarta.enterprise.inject.spi.CDI;
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
 * supervise) and sessions driven through the real session machine and runner, with the real
 * {@link AuditTrail}; only rtpengine and the supervisor's phone are in-process fakes. No SIP.
 */
final class AuditFixtures {

    static final String CLIENT_NUMBER = "+4930123456789";

    final TestApi.Tenant tenant;
    final long john;
    final long adam;
    final long support;
    private final AuditTrail audit;
    private final SessionRunner runner;

    AuditFixtures(AuditTrail audit) {
        this.audit = audit;
        this.runner = new SessionRunner(new FakeMixer(), new FakePhone(), audit,
                CDI.current().getBeanManager().getEvent().select(LiveEvent.class),
                CDI.current().select(io.callsup.supervision.SupervisionMetrics.class).get());
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

    /** Adam dialled a code and the session became active in {@code mode}: joined, then answered, through the machine. */
    UUID start(SupervisionMode mode) {
        UUID id = QuarkusTransaction.requiringNew().call(() -> {
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
            // No daemon: the real reconcilers that later meet this row find nothing of it in rtpengine.
            s.mediaDaemon = null;
            s.dialledIn = true;
            s.joinedBy = SupervisionSession.JoinedBy.CODE;
            s.authorisedByGroup = support;
            s.mode = mode;
            s.state = SessionState.JOINING;
            s.startedAt = Instant.now();
            s.persist();
            return s.id;
        });
        runner.apply(id, new SessionTrigger.Answered());
        return id;
    }

    void switchMode(UUID id, SupervisionMode to, TriggerSource trigger) {
        runner.apply(id, new SessionTrigger.Switch(to, trigger, true));
    }

    void end(UUID id, EndReason reason) {
        runner.apply(id, switch (reason) {
            case CALL_ENDED -> new SessionTrigger.CallEnded();
            case REVOKED -> new SessionTrigger.Revoked();
            case MEDIA_LOST -> new SessionTrigger.MediaLost();
            case MEDIA_FAILURE -> new SessionTrigger.MediaFailed();
            default -> new SessionTrigger.Leave(reason);
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
