package io.callsup.api;

import io.callsup.testsupport.TestApi;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.callsup.testsupport.TestApi.as;
import static org.assertj.core.api.Assertions.assertThat;

/** Keys belong to one credential and expire; expired rows are purged. Against the real table. */
@QuarkusTest
class IdempotencyKeysTest {

    @Inject
    IdempotencyKeys keys;

    @Inject
    EntityManager em;

    long credential(TestApi.Tenant tenant) {
        long role = TestApi.newRole(tenant, TestApi.unique("r"), "CALL_CONTROL_MODIFY");
        return as(tenant).body(Map.of("username", TestApi.unique("crm"), "password", "crm-password-123", "realm",
                        "CUSTOMER", "roleId", role)).post("/api/v1/customer/credentials").then().statusCode(201)
                .extract().jsonPath().getLong("id");
    }

    @Test
    void aKeyReplaysOnlyToItsOwnCredentialAndExpires() {
        TestApi.Tenant tenant = TestApi.newTenant("Idem", true);
        long crm = credential(tenant);
        long other = credential(tenant);
        String fp = IdempotencyKeys.fingerprint("POST /x", new byte[]{1});
        assertThat(keys.claim(tenant.customerId(), crm, "k-1", "POST /x", fp)).isInstanceOf(IdempotencyKeys.Claim.Fresh.class);
        keys.complete(crm, "k-1", new IdempotencyKeys.Stored(202, "{\"id\":\"s\"}", "/s"));
        assertThat(keys.claim(tenant.customerId(), crm, "k-1", "POST /x", fp))
                .isEqualTo(new IdempotencyKeys.Claim.Replay(new IdempotencyKeys.Stored(202, "{\"id\":\"s\"}", "/s")));
        // The same key from another credential of the same customer is its own, fresh request.
        assertThat(keys.claim(tenant.customerId(), other, "k-1", "POST /x", fp)).isInstanceOf(IdempotencyKeys.Claim.Fresh.class);

        // Older than the TTL (24 h by default): the key starts a new request, and the purge removes such rows.
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("UPDATE api_idempotency_key "
                + "SET created_at = now() - interval '25 hours' WHERE credential_id = ?1").setParameter(1, crm).executeUpdate());
        assertThat(keys.claim(tenant.customerId(), crm, "k-1", "POST /x", fp)).isInstanceOf(IdempotencyKeys.Claim.Fresh.class);
        keys.claim(tenant.customerId(), crm, "k-2", "POST /x", fp);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("UPDATE api_idempotency_key "
                + "SET created_at = now() - interval '25 hours' WHERE credential_id = ?1 AND idem_key = 'k-2'")
                .setParameter(1, crm).executeUpdate());
        assertThat(keys.purgeExpired()).isGreaterThanOrEqualTo(1);
        long left = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "SELECT count(*) FROM api_idempotency_key WHERE credential_id = ?1").setParameter(1, crm)
                .getSingleResult()).longValue());
        assertThat(left).as("k-1 (renewed) stays, k-2 (expired) is gone").isEqualTo(1);
    }
}
