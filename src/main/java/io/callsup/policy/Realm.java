package io.callsup.policy;

/** Who a credential acts for. */
public enum Realm {
    /** The operator: manages customers and their feature switch. */
    ADMINISTRATOR,
    /** A manager acting for a whole customer. */
    CUSTOMER,
    /** One extension acting for itself. */
    ACCOUNT
}
