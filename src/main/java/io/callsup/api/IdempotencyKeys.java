package io.callsup.api;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Stores the first response to each {@code Idempotency-Key} of a credential, so a retried join or
 * update is answered from the store and never rings a phone twice or switches twice. The key row is
 * inserted before the work starts (INSERT ... ON CONFLICT DO NOTHING), which makes two concurrent
 * requests with one key race on the primary key instead of both doing the work.
 */
@ApplicationScoped
public class IdempotencyKeys {

    public record Stored(int status, String body, String location) {
    }

    public sealed interface Claim {
        /** The key is new: do the work, then {@link #complete} or {@link #release}. */
        record Fresh() implements Claim {
        }

        record Replay(Stored response) implements Claim {
        }

        /** The first request with this key is still running. */
        record InProgress() implements Claim {
        }

        /** The key was used for another operation or another body. */
        record Mismatch(String operation) implements Claim {
        }
    }

    private final EntityManager em;
    private final ApiConfig config;

    public IdempotencyKeys(EntityManager em, ApiConfig config) {
        this.em = em;
        this.config = config;
    }

    /** A row older than the TTL counts as absent and is taken over in the same statement. */
    public Claim claim(long customerId, long credentialId, String key, String operation, String fingerprint) {
        return QuarkusTransaction.requiringNew().call(() -> {
            int inserted = em.createNativeQuery("INSERT INTO api_idempotency_key (customer_id, credential_id, idem_key, "
                            + "operation, fingerprint) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (credential_id, idem_key) "
                            + "DO UPDATE SET customer_id = EXCLUDED.customer_id, operation = EXCLUDED.operation, "
                            + "fingerprint = EXCLUDED.fingerprint, status = NULL, body = NULL, location = NULL, "
                            + "created_at = now() WHERE api_idempotency_key.created_at < ?6")
                    .setParameter(1, customerId).setParameter(2, credentialId).setParameter(3, key)
                    .setParameter(4, operation).setParameter(5, fingerprint).setParameter(6, expiredBefore())
                    .executeUpdate();
            if (inserted == 1) {
                return new Claim.Fresh();
            }
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("SELECT operation, fingerprint, status, body, location "
                            + "FROM api_idempotency_key WHERE credential_id = ?1 AND idem_key = ?2")
                    .setParameter(1, credentialId).setParameter(2, key).getResultList();
            if (rows.isEmpty()) {
                // Released between our insert attempt and the read: the caller may simply retry.
                return new Claim.InProgress();
            }
            Object[] row = rows.get(0);
            if (!operation.equals(row[0]) || !fingerprint.equals(row[1])) {
                return new Claim.Mismatch((String) row[0]);
            }
            if (row[2] == null) {
                return new Claim.InProgress();
            }
            return new Claim.Replay(new Stored(((Number) row[2]).intValue(), (String) row[3], (String) row[4]));
        });
    }

    public void complete(long credentialId, String key, Stored response) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("UPDATE api_idempotency_key SET status = ?3, "
                        + "body = ?4, location = ?5 WHERE credential_id = ?1 AND idem_key = ?2")
                .setParameter(1, credentialId).setParameter(2, key).setParameter(3, response.status())
                .setParameter(4, response.body()).setParameter(5, response.location()).executeUpdate());
    }

    /** Forgets a key whose request failed unexpectedly, so that a retry does the work. */
    public void release(long credentialId, String key) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                        "DELETE FROM api_idempotency_key WHERE credential_id = ?1 AND idem_key = ?2 AND status IS NULL")
                .setParameter(1, credentialId).setParameter(2, key).executeUpdate());
    }

    /** Deletes keys past their TTL; answers how many. */
    public int purgeExpired() {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "DELETE FROM api_idempotency_key WHERE created_at < ?1")
                .setParameter(1, expiredBefore()).executeUpdate());
    }

    private OffsetDateTime expiredBefore() {
        return OffsetDateTime.now(ZoneOffset.UTC).minus(config.idempotency().ttl());
    }

    static String fingerprint(String operation, byte[] canonicalBody) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(operation.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(canonicalBody);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
