package io.callsup.tenant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Optional;

/** A tenant: one PBX customer, told apart by Kamailio through its SIP domain. */
@Entity
@Table(name = "customer")
public class Customer extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    @Column(name = "sip_domain")
    public String sipDomain;

    /** The administrator-level switch; off until the operator turns it on. */
    @Column(name = "supervision_enabled")
    public boolean supervisionEnabled;

    /** Audit events show the client's number in full; otherwise (the default) it is masked. */
    @Column(name = "show_client_number")
    public boolean showClientNumber;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    public static Optional<Customer> findBySipDomain(String sipDomain) {
        return find("sipDomain", sipDomain).firstResultOptional();
    }
}
