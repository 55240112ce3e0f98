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

    /** The operator's credential of this name (administrator usernames are unique among administrators). */
    public static Optional<ApiCredential> findAdministrator(String username) {
        return find("username = ?1 and realm = ?2", username, Realm.ADMINISTRATOR).firstResultOptional();
    }

    /** Usernames are unique per customer, not globally. */
    public static boolean taken(long customerId, String username) {
        return count("customerId = ?1 and username = ?2", customerId, username) > 0;
    }

    /**
     * The credential a login names. {@code name@sip-domain} names the credential {@code name} of the
     * customer with that SIP domain, always; a plain name (or one whose domain part is no customer's)
     * names an administrator of that name, else the oldest credential of that name, so that a
     * customer creating a name another customer already uses never takes over the other's plain login.
     */
    public static Optional<ApiCredential> findForLogin(String login) {
        int at = login.lastIndexOf('@');
        if (at > 0 && at < login.length() - 1) {
            Optional<ApiCredential> qualified = find("username = ?1 and customerId = (select c.id from Customer c "
                            + "where lower(c.sipDomain) = ?2)", login.substring(0, at),
                    login.substring(at + 1).toLowerCase(java.util.Locale.ROOT)).firstResultOptional();
            if (qualified.isPresent()) {
                return qualified;
            }
        }
        return find("username = ?1 order by case when customerId is null then 0 else 1 end, id", login)
                .firstResultOptional();
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
