package io.callsup.tenant;

import io.callsup.policy.Realm;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.util.List;
import java.util.Optional;

/** A username and password that applications and administrators authenticate with (HTTP Basic). */
@Entity
@Table(name = "api_credential")
public class ApiCredential extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String username;

    @Column(name = "password_hash")
    public String passwordHash;

    @Enumerated(EnumType.STRING)
    public Realm realm;

    @Column(name = "customer_id")
    public Long customerId;

    @Column(name = "account_id")
    public Long accountId;

    @Column(name = "role_id")
    public Long roleId;

    public static Optional<ApiCredential> findByUsername(String username) {
        return find("username", username).firstResultOptional();
    }

    public static Optional<ApiCredential> findOwned(long customerId, long id) {
        return find("id = ?1 and customerId = ?2", id, customerId).firstResultOptional();
    }

    public static List<ApiCredential> listOwned(long customerId) {
        return list("customerId = ?1 order by username", customerId);
    }

    public static boolean roleInUse(long roleId) {
        return count("roleId", roleId) > 0;
    }
}
