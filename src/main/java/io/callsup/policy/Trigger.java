package io.callsup.policy;

import java.util.Set;

/** What asks for supervision. Each kind has its own rule in {@link SupervisionPolicy}. */
public sealed interface Trigger {

    /** The supervisor dialled a service code on their phone. */
    record DialledCode() implements Trigger {
    }

    /**
     * An application asked, with a credential of {@code realm}. For the account realm,
     * {@code credentialAccountId} is the extension the credential belongs to.
     */
    record Application(Realm realm, Set<Permission> permissions, Long credentialAccountId) implements Trigger {
        public Application {
            permissions = Set.copyOf(permissions);
        }
    }

    /**
     * A mode switch inside a running session (DTMF digit, SIP INFO or API update). It is judged by
     * the rule of the trigger that started the session, against today's data, so revoking a flag or
     * the feature takes effect on the next switch.
     */
    record Switch(Trigger joinedBy) implements Trigger {
        public Switch {
            if (joinedBy instanceof Switch) {
                throw new IllegalArgumentException("a session is joined by a code or an application, not a switch");
            }
        }
    }
}
