package io.callsup.calls;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;

/** A confirmed SIP dialog that Kamailio reported, with the parties' accounts where they are ours. */
@Entity
@Table(name = "active_call")
public class ActiveCall extends PanacheEntityBase {

    @Id
    @Column(name = "call_id")
    public String callId;

    @Column(name = "customer_id")
    public long customerId;

    @Column(name = "from_tag")
    public String fromTag;

    @Column(name = "to_tag")
    public String toTag;

    @Column(name = "caller_user")
    public String callerUser;
    @Column(name = "caller_domain")
    public String callerDomain;
    @Column(name = "callee_user")
    public String calleeUser;
    @Column(name = "callee_domain")
    public String calleeDomain;

    @Column(name = "caller_account_id")
    public Long callerAccountId;

    @Column(name = "callee_account_id")
    public Long calleeAccountId;

    @Column(name = "supervision_leg")
    public boolean supervisionLeg;

    @Column(name = "on_hold")
    public boolean onHold;

    @Column(name = "h_entry")
    public Long hEntry;

    @Column(name = "h_id")
    public Long hId;

    /** host:port of the rtpengine ng socket Kamailio anchored the call in; null when not told. */
    @Column(name = "rtpengine")
    public String rtpengine;

    @Column(name = "started_at")
    public Instant startedAt;

    /** Calls in which the account takes part, newest first. */
    public static List<ActiveCall> ofAccount(long accountId) {
        return list("callerAccountId = ?1 or calleeAccountId = ?1 order by startedAt desc", accountId);
    }

    /** The agent's tag: the side of the dialog the account is on. */
    public String tagOf(long accountId) {
        return callerAccountId != null && callerAccountId == accountId ? fromTag : toTag;
    }

    /** The other party's number (user part), as dialled or presented. */
    public String otherNumber(long accountId) {
        return callerAccountId != null && callerAccountId == accountId ? calleeUser : callerUser;
    }

    /** The other party's tag. */
    public String otherTag(long accountId) {
        return callerAccountId != null && callerAccountId == accountId ? toTag : fromTag;
    }
}
