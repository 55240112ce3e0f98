package io.callsup.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

@ConfigMapping(prefix = "callsup.security")
public interface SecurityConfig {

    /** PBKDF2 rounds for new password hashes; stored hashes carry their own count. */
    @WithDefault("120000")
    int passwordHashIterations();

    /** The first administrator credential, created at start-up when it does not exist yet. */
    BootstrapAdmin bootstrapAdmin();

    interface BootstrapAdmin {
        Optional<String> username();

        Optional<String> password();
    }
}
