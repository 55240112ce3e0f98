package io.callsup.tenant;

/**
 * Who may supervise whom in this customer may have changed (feature switch, membership or flag,
 * deletion of an account, credential, role or the customer itself). Fired inside the change's
 * transaction; the supervision core re-judges the customer's live sessions once it has committed.
 */
public record AuthorisationChanged(long customerId) {
}
