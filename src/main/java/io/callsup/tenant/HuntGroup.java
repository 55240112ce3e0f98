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

/** A hunt group of a customer; its memberships say who may supervise whom. */
@Entity
@Table(name = "hunt_group")
public class HuntGroup extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "customer_id")
    public long customerId;

    public String name;

    public static Optional<HuntGroup> findOwned(long customerId, long id) {
        return find("id = ?1 and customerId = ?2", id, customerId).firstResultOptional();
    }

    public static List<HuntGroup> listOwned(long customerId) {
        return list("customerId = ?1 order by name", customerId);
    }
}
