package io.callsup.supervision;

import io.callsup.model.SupervisionMode;
import io.callsup.model.TriggerSource;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.jboss.logging.Logger;

/**
 * Every audited transition also counts in the metrics and writes one INFO line, but only once its
 * transaction committed: the audit trail is written inside the transaction that makes the change,
 * and a rolled-back change must neither count nor be logged as if it happened.
 */
@Decorator
@Priority(10)
public abstract class MeteredAuditTrail implements AuditTrail {
    private static final Logger LOG = Logger.getLogger("io.callsup.sessions");

    @Inject
    @Delegate
    AuditTrail delegate;
    @Inject
    SupervisionMetrics metrics;
    @Inject
    TransactionSynchronizationRegistry transactions;

    @Override
    public void denied(Denial d) {
        delegate.denied(d);
        afterCommit(() -> {
            metrics.denied(d.reason(), d.trigger());
            LOG.infof("supervision refused: customer %s, supervisor %s, agent %s, call %s, %s: %s", d.customerId(),
                    d.supervisorAccountId(), d.agentAccountId(), d.callId(), d.trigger(), d.reason());
        });
    }

    @Override
    public void started(SupervisionSession s, TriggerSource trigger) {
        delegate.started(s, trigger);
        String line = String.format("session %s started: customer %s, supervisor %s, agent %s, call %s, mode %s, by %s",
                s.id, s.customerId, s.supervisorAccountId, s.agentAccountId, s.callId, s.mode, trigger);
        afterCommit(() -> {
            metrics.started(trigger);
            LOG.info(line);
        });
    }

    @Override
    public void modeChanged(SupervisionSession s, SupervisionMode from, SupervisionMode to, TriggerSource trigger) {
        delegate.modeChanged(s, from, to, trigger);
        afterCommit(() -> {
            metrics.switched(trigger, to);
            LOG.infof("session %s: %s -> %s by %s", s.id, from, to, trigger);
        });
    }

    @Override
    public void ended(SupervisionSession s) {
        delegate.ended(s);
        String line = String.format("session %s ended: %s", s.id, s.endReason);
        Object reason = s.endReason;
        afterCommit(() -> {
            metrics.ended(reason);
            LOG.info(line);
        });
    }

    private void afterCommit(Runnable r) {
        AfterCommit.run(transactions, r);
    }
}
