package io.callsup.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.callsup.tenant.AuthorisationChanged;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Identities whose secret was verified recently, so a client does not pay PBKDF2 on every request.
 * The key holds an HMAC of the presented secret under a per-process random key: a wrong password
 * can never hit an entry, and the memory holds nothing a password could be checked against offline.
 * Any authorisation change of a customer drops all its entries once the change has committed.
 */
@ApplicationScoped
public class VerifiedCredentials {

    record Entry(SecurityIdentity identity, Long customerId, Instant expiresAt) {
    }

    private final Cache<String, Entry> cache;
    private final byte[] hmacKey = new byte[32];
    private final ConcurrentHashMap<String, CompletableFuture<SecurityIdentity>> inFlight = new ConcurrentHashMap<>();
    // Bumped by every drop: a verification that read the database before a change committed must
    // not put its (old) answer into the cache after the drop.
    private final AtomicLong generation = new AtomicLong();

    public VerifiedCredentials(AuthConfig config) {
        this.cache = Caffeine.newBuilder().maximumSize(config.cache().maxSize())
                .expireAfterWrite(config.cache().ttl()).build();
        new SecureRandom().nextBytes(hmacKey);
    }

    String key(String kind, String name, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(hmacKey, "HmacSHA256"));
            mac.update(name.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return kind + ":" + name + ":" + HexFormat.of().formatHex(mac.doFinal(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    SecurityIdentity get(String key) {
        Entry entry = cache.getIfPresent(key);
        if (entry == null) {
            return null;
        }
        if (entry.expiresAt() != null && !entry.expiresAt().isAfter(Instant.now())) {
            cache.invalidate(key);
            return null;
        }
        return entry.identity();
    }

    /**
     * Runs {@code verify} once for concurrent requests with the same key: a client that opens with a
     * burst of requests pays one PBKDF2 and one counted attempt, not one per request.
     */
    Uni<SecurityIdentity> once(String key, Supplier<Uni<SecurityIdentity>> verify) {
        CompletableFuture<SecurityIdentity> mine = new CompletableFuture<>();
        CompletableFuture<SecurityIdentity> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            // Bounded: a verification that never ends must not hold its followers forever.
            return Uni.createFrom().completionStage(running).ifNoItem().after(Duration.ofSeconds(30)).fail();
        }
        Uni<SecurityIdentity> result;
        try {
            result = verify.get();
        } catch (RuntimeException e) {
            result = Uni.createFrom().failure(e);
        }
        return result.onItemOrFailure().invoke((identity, failure) -> {
            inFlight.remove(key, mine);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(identity);
            }
        });
    }

    long generation() {
        return generation.get();
    }

    void put(long readAt, String key, SecurityIdentity identity, Long customerId, Instant expiresAt) {
        cache.put(key, new Entry(identity, customerId, expiresAt));
        if (generation.get() != readAt) {
            cache.invalidate(key);
        }
    }

    /** After commit, so no request can re-cache the old state between the drop and the commit. */
    void onChange(@Observes(during = TransactionPhase.AFTER_SUCCESS) AuthorisationChanged change) {
        dropCustomer(change.customerId());
    }

    public void dropCustomer(long customerId) {
        generation.incrementAndGet();
        cache.asMap().values().removeIf(e -> e.customerId() != null && e.customerId() == customerId);
    }

    public void dropAll() {
        generation.incrementAndGet();
        cache.invalidateAll();
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
