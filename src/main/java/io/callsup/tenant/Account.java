package io.callsup.tenant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.util.List;
import java.util.Optional;

/** An extension of a customer, with the SIP digest credentials its phone registers with. */
@Entity
@Table(name = "account")
public class Account extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "customer_id")
    public long customerId;

    public String extension;

    @Column(name = "display_name")
    public String displayName;

    @Column(name = "sip_username")
    public String sipUsername;

    public String ha1;

    public String ha1b;

    public static Optional<Account> findOwned(long customerId, long id) {
        return find("id = ?1 and customerId = ?2", id, customerId).firstResultOptional();
    }

    public static Optional<Account> findByExtension(long customerId, String extension) {
        return find("customerId = ?1 and extension = ?2", customerId, extension).firstResultOptional();
    }

    public static Optional<Account> findBySipUsername(long customerId, String sipUsername) {
        return find("customerId = ?1 and sipUsername = ?2", customerId, sipUsername).firstResultOptional();
    }

    public static List<Account> listOwned(long customerId) {
        return list("customerId = ?1 order by extension", customerId);
    }
}
