package io.callsup.calls;

import io.callsup.events.LiveEvent;
import io.callsup.tenant.Account;
import io.callsup.tenant.Customer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which account is on which call. Fed by Kamailio's dialog events and corrected by reconciling with
 * {@code dlg.list}; the database row is the truth, so every replica answers alike.
 */
@ApplicationScoped
public class CallRegistry {

    private static final Logger LOG = Logger.getLogger(CallRegistry.class);

    // Live streams of the call-control API (delivered after commit).
    @Inject
    Event<LiveEvent> live;

    /** One confirmed dialog as Kamailio describes it. */
    public record Dialog(String callId, String fromTag, String toTag, String callerUser, String callerDomain,
                         String calleeUser, String calleeDomain, boolean supervisionLeg, Long hEntry, Long hId,
                         String rtpengine) {
        public Dialog(String callId, String fromTag, String toTag, String callerUser, String callerDomain,
                      String calleeUser, String calleeDomain, boolean supervisionLeg, Long hEntry, Long hId) {
            this(callId, fromTag, toTag, callerUser, callerDomain, calleeUser, calleeDomain, supervisionLeg, hEntry,
                    hId, null);
        }
    }

    /**
     * Records a started dialog. Returns false when neither side belongs to a known customer: such a
     * call can never be supervised, so it is not kept.
     */
    @Transactional
    public boolean started(Dialog dialog) {
        Optional<Customer> customer = Customer.findBySipDomain(dialog.calleeDomain())
                .or(() -> Customer.findBySipDomain(dialog.callerDomain()));
        if (customer.isEmpty()) {
            LOG.debugf("dialog %s belongs to no customer (%s -> %s); not tracked", dialog.callId(),
                    dialog.callerDomain(), dialog.calleeDomain());
            return false;
        }
        ActiveCall call = ActiveCall.<ActiveCall>findByIdOptional(dialog.callId()).orElseGet(ActiveCall::new);
        boolean fresh = call.callId == null;
        call.callId = dialog.callId();
        call.customerId = customer.get().id;
        call.fromTag = dialog.fromTag();
        call.toTag = dialog.toTag();
        call.callerUser = dialog.callerUser();
        call.callerDomain = dialog.callerDomain();
        call.calleeUser = dialog.calleeUser();
        call.calleeDomain = dialog.calleeDomain();
        call.supervisionLeg = dialog.supervisionLeg();
        call.hEntry = dialog.hEntry();
        call.hId = dialog.hId();
        if (dialog.rtpengine() != null) {
            // A reloaded dialog (Kamailio restart) may lack the variable: keep what we knew.
            call.rtpengine = dialog.rtpengine().startsWith("udp:") ? dialog.rtpengine().substring(4) : dialog.rtpengine();
        }
        long customerId = customer.get().id;
        // The caller is identified by its SIP username (what it authenticated as); the callee by the
        // extension it dialled.
        call.callerAccountId = sameCustomer(customerId, dialog.callerDomain())
                ? Account.findBySipUsername(customerId, dialog.callerUser())
                .or(() -> Account.findByExtension(customerId, dialog.callerUser())).map(a -> a.id).orElse(null)
                : null;
        call.calleeAccountId = !dialog.supervisionLeg() && sameCustomer(customerId, dialog.calleeDomain())
                ? Account.findByExtension(customerId, dialog.calleeUser()).map(a -> a.id).orElse(null)
                : null;
        if (fresh) {
            call.startedAt = Instant.now();
            call.persist();
            if (!call.supervisionLeg) {
                live.fire(LiveEvent.call(LiveEvent.CALL_STARTED, call.customerId, call.callId, agentOf(call)));
            }
        }
        return true;
    }

    private static boolean sameCustomer(long customerId, String domain) {
        return domain != null && Customer.findBySipDomain(domain).map(c -> c.id == customerId).orElse(false);
    }

    /** Forgets a dialog; returns what was known about it, if anything. */
    @Transactional
    public Optional<ActiveCall> ended(String callId) {
        Optional<ActiveCall> call = ActiveCall.findByIdOptional(callId);
        call.ifPresent(c -> {
            c.delete();
            if (!c.supervisionLeg) {
                live.fire(LiveEvent.call(LiveEvent.CALL_ENDED, c.customerId, c.callId, agentOf(c)));
            }
        });
        return call;
    }

    /**
     * The party an application sees as the agent: the callee when it is one of the customer's
     * accounts (calls into the PBX), else the caller.
     */
    public static Long agentOf(ActiveCall call) {
        return call.calleeAccountId != null ? call.calleeAccountId : call.callerAccountId;
    }

    @Transactional
    public void holdChanged(String callId, boolean onHold) {
        ActiveCall.<ActiveCall>findByIdOptional(callId).ifPresent(c -> c.onHold = onHold);
    }

    /**
     * The call to supervise for an agent: among its ordinary calls (never a supervision leg), the
     * answered one that is not on hold, newest first; a held call only when there is nothing else.
     */
    @Transactional
    public Optional<ActiveCall> supervisableCallOf(long accountId) {
        List<ActiveCall> calls = ActiveCall.ofAccount(accountId);
        return calls.stream()
                .filter(c -> !c.supervisionLeg)
                .min(Comparator.comparing((ActiveCall c) -> c.onHold).thenComparing(c -> c.startedAt,
                        Comparator.reverseOrder()));
    }

    /** True when the account's only calls are supervision legs: it is itself supervising. */
    @Transactional
    public boolean onlySupervisionLegs(long accountId) {
        List<ActiveCall> calls = ActiveCall.ofAccount(accountId);
        return !calls.isEmpty() && calls.stream().allMatch(c -> c.supervisionLeg);
    }

    @Transactional
    public List<String> trackedCallIds() {
        return ActiveCall.<ActiveCall>listAll().stream().map(c -> c.callId).toList();
    }
}
