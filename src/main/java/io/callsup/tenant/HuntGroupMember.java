package io.callsup.tenant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** An account's membership of a hunt group, with the seed's "Supervision allowed" flag. */
@Entity
@Table(name = "hunt_group_member")
@IdClass(HuntGroupMember.Key.class)
public class HuntGroupMember extends PanacheEntityBase {

    @Id
    @Column(name = "hunt_group_id")
    public long huntGroupId;

    @Id
    @Column(name = "account_id")
    public long accountId;

    @Column(name = "supervision_allowed")
    public boolean supervisionAllowed;

    public static Optional<HuntGroupMember> findMember(long huntGroupId, long accountId) {
        return find("huntGroupId = ?1 and accountId = ?2", huntGroupId, accountId).firstResultOptional();
    }

    public static List<HuntGroupMember> listForGroup(long huntGroupId) {
        return list("huntGroupId = ?1 order by accountId", huntGroupId);
    }

    /** Every membership of the given accounts: what the policy needs for a supervisor and an agent. */
    public static List<HuntGroupMember> listForAccounts(Collection<Long> accountIds) {
        return list("accountId in ?1", accountIds);
    }

    public static class Key implements Serializable {
        public long huntGroupId;
        public long accountId;

        public Key() {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.huntGroupId == huntGroupId && k.accountId == accountId;
        }

        @Override
        public int hashCode() {
            return Objects.hash(huntGroupId, accountId);
        }
    }
}
