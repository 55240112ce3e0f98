package io.callsup.security;

import io.callsup.policy.Realm;
import io.callsup.tenant.ApiCredential;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Creates the first administrator credential from configuration (a Kubernetes secret in
 * production), because without one nobody could create customers.
 */
@ApplicationScoped
public class AdminBootstrap {

    private static final Logger LOG = Logger.getLogger(AdminBootstrap.class);

    void onStart(@Observes StartupEvent event, SecurityConfig config, PasswordHasher hasher) {
        var admin = config.bootstrapAdmin();
        if (admin.username().isEmpty() || admin.password().isEmpty()) {
            LOG.info("no bootstrap administrator configured (callsup.security.bootstrap-admin.*)");
            return;
        }
        QuarkusTransaction.requiringNew().run(() -> {
            if (ApiCredential.findAdministrator(admin.username().get()).isPresent()) {
                return;
            }
            ApiCredential credential = new ApiCredential();
            credential.username = admin.username().get();
            credential.passwordHash = hasher.hash(admin.password().get());
            credential.realm = Realm.ADMINISTRATOR;
            credential.persist();
            LOG.infof("created bootstrap administrator credential '%s'", credential.username);
        });
    }
}
