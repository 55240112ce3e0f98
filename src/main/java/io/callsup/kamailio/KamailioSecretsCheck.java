package io.callsup.kamailio;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Fails start-up on a weak or reused Kamailio secret: a service that cannot authenticate its edge
 * must not run at all (fail closed). The messages name the property, never the value.
 */
@ApplicationScoped
public class KamailioSecretsCheck {

    void check(@Observes StartupEvent ev, KamailioConfig config) {
        verify(config.eventSecret(), config.rpcSecret());
    }

    static void verify(SharedSecret event, SharedSecret rpc) {
        String weak = event.weakness();
        if (weak != null) {
            throw new IllegalStateException("callsup.kamailio.event-secret (CALLSUP_KAMAILIO_EVENT_SECRET) " + weak);
        }
        weak = rpc.weakness();
        if (weak != null) {
            throw new IllegalStateException("callsup.kamailio.rpc-secret (CALLSUP_KAMAILIO_RPC_SECRET) " + weak);
        }
        if (event.sameAs(rpc)) {
            throw new IllegalStateException("callsup.kamailio.event-secret and callsup.kamailio.rpc-secret must differ:"
                    + " each direction between the service and Kamailio has its own secret");
        }
    }
}
