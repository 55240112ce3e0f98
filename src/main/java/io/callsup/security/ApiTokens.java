package io.callsup.security;

import io.callsup.tenant.ApiToken;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;

/** Issues bearer tokens: 256 random bits, shown once, stored as SHA-256. */
@ApplicationScoped
public class ApiTokens {

    /** Recognisable in logs and secret scanners; not part of the secret. */
    static final String PREFIX = "cst_";

    public record Issued(ApiToken row, String token) {
    }

    private final SecureRandom random = new SecureRandom();
    private final AuthConfig config;

    public ApiTokens(AuthConfig config) {
        this.config = config;
    }

    /** Inside the caller's transaction; a lifetime beyond the configured maximum is the caller's error to report. */
    public Issued issue(long credentialId, Long customerId, String name, Duration lifetime) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        ApiToken row = new ApiToken();
        row.credentialId = credentialId;
        row.customerId = customerId;
        row.name = name;
        row.tokenHash = hash(token);
        row.createdAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        row.expiresAt = row.createdAt.plus(lifetime == null ? config.tokens().defaultLifetime() : lifetime);
        row.persist();
        return new Issued(row, token);
    }

    public Duration maxLifetime() {
        return config.tokens().maxLifetime();
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
