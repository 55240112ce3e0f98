package io.callsup.supervision;

import io.callsup.tenant.AuthorisationChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;

/**
 * Ends sessions whose authorisation an administrative change took away, right after that change
 * committed and before its HTTP answer goes out: a 204 to "delete the supervisor" means the
 * supervisor no longer hears the call.
 */
@ApplicationScoped
public class Revocations {

    private final SupervisionService supervision;

    public Revocations(SupervisionService supervision) {
        this.supervision = supervision;
    }

    void onChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) AuthorisationChanged change) {
        supervision.reauthorise(change.customerId());
    }
}
