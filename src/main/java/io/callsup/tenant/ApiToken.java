package io.callsup.tenant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A bearer token that acts as one {@link ApiCredential}, for applications that should not send a
 * password on every request. Only the SHA-256 of the token is stored: tokens are 256 random bits,
 * so a slow hash would add nothing.
 */
@Entity
@Table(name = "api_token")
public class ApiToken extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "credential_id")
    public long credentialId;

    @Column(name = "customer_id")
    public Long customerId;

    public String name;

    @Column(name = "token_hash")
    public String tokenHash;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    public static Optional<ApiToken> findUsable(String tokenHash, Instant now) {
        return find("tokenHash = ?1 and revokedAt is null and expiresAt > ?2", tokenHash, now).firstResultOptional();
    }

    public static List<ApiToken> listOf(long credentialId) {
        return list("credentialId = ?1 order by id", credentialId);
    }

    public static Optional<ApiToken> findOf(long credentialId, long id) {
        return find("id = ?1 and credentialId = ?2", id, credentialId).firstResultOptional();
    }
}
