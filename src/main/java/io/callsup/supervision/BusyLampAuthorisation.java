package io.callsup.supervision;

import io.callsup.policy.DenialReason;
import io.callsup.policy.PolicyDecision;
import io.callsup.policy.SupervisionRequest;
import io.callsup.policy.Trigger;
import io.callsup.policy.WatchPolicy;
import io.callsup.tenant.Account;
import io.callsup.tenant.Customer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Decides a phone's SUBSCRIBE to an account's busy lamp (Kamailio asks, route[BLF_DECIDE]): reads
 * what {@link WatchPolicy} needs and answers with the SIP response, or with the account's SIP username,
 * which is the presentity Kamailio publishes the account's calls under.
 */
@ApplicationScoped
public class BusyLampAuthorisation {

    private static final Logger LOG = Logger.getLogger(BusyLampAuthorisation.class);

    /** Accepted ({@code presentity} set) or refused with a SIP answer. */
    public record Answer(String presentity, SipAnswer refusal) {
        static Answer accept(String presentity) {
            return new Answer(presentity, null);
        }

        static Answer refuse(SipAnswer answer) {
            return new Answer(null, answer);
        }

        public boolean accepted() {
            return presentity != null;
        }
    }

    static final SipAnswer OTHER_DOMAIN = new SipAnswer(403, "Forbidden - other domain");

    /**
     * {@code watched} is what the phone subscribed to: an extension, or an account's SIP username.
     * Domains are compared in lower case (Kamailio sends them so).
     */
    public Answer decide(String authUser, String authDomain, String watched, String domain) {
        Answer answer = QuarkusTransaction.requiringNew().call(() -> judge(authUser, authDomain, watched, domain));
        if (!answer.accepted()) {
            LOG.infof("busy-lamp subscription of %s@%s to %s@%s refused: %d %s", authUser, authDomain, watched,
                    domain, answer.refusal().code(), answer.refusal().reason());
        }
        return answer;
    }

    private static Answer judge(String authUser, String authDomain, String watched, String domain) {
        Optional<Customer> customer = Customer.findBySipDomain(authDomain);
        Optional<Account> watcher = customer.flatMap(c -> Account.findBySipUsername(c.id, authUser));
        if (watcher.isEmpty()) {
            return Answer.refuse(SipAnswer.CALLER_UNKNOWN);
        }
        // Kamailio refuses another domain itself; the service does not trust that it did.
        if (!authDomain.equals(domain)) {
            return Answer.refuse(OTHER_DOMAIN);
        }
        long customerId = customer.get().id;
        Optional<Account> target = Account.findByExtension(customerId, watched)
                .or(() -> Account.findBySipUsername(customerId, watched));
        if (target.isEmpty()) {
            return Answer.refuse(SipAnswer.UNKNOWN_EXTENSION);
        }
        PolicyDecision decision = WatchPolicy.evaluate(inputs(watcher.get(), target.get()));
        if (decision instanceof PolicyDecision.Deny deny) {
            return Answer.refuse(deny.reason() == DenialReason.NOT_SAME_CUSTOMER ? OTHER_DOMAIN
                    : SipAnswer.denied(deny.reason()));
        }
        return Answer.accept(target.get().sipUsername);
    }

    private static WatchPolicy.WatchRequest inputs(Account watcher, Account target) {
        SupervisionRequest gathered = PolicyInputs.gather(new Trigger.DialledCode(), watcher, target, false);
        return new WatchPolicy.WatchRequest(gathered.featureEnabled(), gathered.supervisor(), gathered.target(),
                gathered.memberships());
    }
}
