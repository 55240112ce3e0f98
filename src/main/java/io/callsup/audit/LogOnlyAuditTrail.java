package io.callsup.audit;

import io.callsup.supervision.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.supervision.TriggerSource;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * NOT THE AUDIT TRAIL. Audit events over Artemis (issue 5: CloudEvents, transactional outbox,
 * relay) are not implemented yet; until then state changes are only logged, and nothing reaches
 * billing or compliance.
 */
@DefaultBean
@ApplicationScoped
public class LogOnlyAuditTrail implements AuditTrail {

    private static final Logger LOG = Logger.getLogger(LogOnlyAuditTrail.class);

    @Override
    public void denied(Denial denial) {
        LOG.infof("AUDIT NOT IMPLEMENTED (log only): denied %s", denial);
    }

    @Override
    public void started(SupervisionSession s, TriggerSource trigger) {
        LOG.infof("AUDIT NOT IMPLEMENTED (log only): session %s started in %s by %s", s.id, s.mode, trigger);
    }

    @Override
    public void modeChanged(SupervisionSession s, SupervisionMode from, SupervisionMode to, TriggerSource trigger) {
        LOG.infof("AUDIT NOT IMPLEMENTED (log only): session %s %s -> %s by %s", s.id, from, to, trigger);
    }

    @Override
    public void ended(SupervisionSession s) {
        LOG.infof("AUDIT NOT IMPLEMENTED (log only): session %s ended: %s", s.id, s.endReason);
    }
}
