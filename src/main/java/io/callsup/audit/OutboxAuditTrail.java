package io.callsup.audit;

import io.callsup.supervision.Denial;

import io.callsup.supervision.AfterCommit;
import io.callsup.supervision.AuditTrail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.callsup.supervision.ModeChange;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.model.TriggerSource;
import io.callsup.tenant.Account;
import io.callsup.tenant.Customer;
import io.callsup.tenant.HuntGroup;
import jakarta.enterprise.context.ApplicationScoped;
import io.callsup.supervision.port.Traced;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The audit trail as a transactional outbox: each event is rendered to its final CloudEvents JSON
 * and inserted into {@code audit_outbox} inside the caller's transaction, so it exists exactly when
 * the session change it describes was committed. {@link OutboxRelay} publishes it afterwards.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class OutboxAuditTrail implements AuditTrail {

    private static final String NUDGE_KEY = OutboxAuditTrail.class.getName() + ".nudge";

    // Our own mapper: the published format must not change with the REST layer's Jackson settings.
    private final ObjectMapper json = new ObjectMapper();
    private final AuditConfig config;
    private final TransactionSynchronizationRegistry transactions;
    private final OutboxRelay relay;

    public OutboxAuditTrail(AuditConfig config, TransactionSynchronizationRegistry transactions, OutboxRelay relay) {
        this.config = config;
        this.transactions = transactions;
        this.relay = relay;
    }

    @Override
    @Traced("callsup.audit.denied")
    public void denied(Denial d) {
        SupervisionSession session = d.sessionId() == null ? null : SupervisionSession.findById(d.sessionId());
        Customer customer = d.customerId() == null ? null : Customer.findById(d.customerId());
        Instant now = Instant.now();
        SupervisionEvent.Data data = new SupervisionEvent.Data(
                d.sessionId() == null ? null : d.sessionId().toString(),
                session == null ? null : nextSequence(session),
                customer(customer),
                party(d.supervisorAccountId()),
                party(d.agentAccountId()),
                credential(customer, d.credentialRealm(), d.credentialId(), session != null
                        ? session.joinedBy != SupervisionSession.JoinedBy.APPLICATION
                        : d.trigger() == TriggerSource.CODE || d.credentialRealm() == null),
                session == null ? null : authorisation(session),
                session == null ? (d.trigger() == TriggerSource.CODE ? "code" : null) : joinedBy(session),
                d.callId(),
                null,
                session == null ? null : name(session.mode),
                null, null,
                name(d.trigger()),
                name(d.reason()),
                d.dialled(),
                null, null, null, null,
                now.toString());
        write(SupervisionEvent.DENIED, d.sessionId(), d.customerId(), now, data);
    }

    @Override
    @Traced("callsup.audit.started")
    public void started(SupervisionSession s, TriggerSource trigger) {
        Instant now = Instant.now();
        write(SupervisionEvent.STARTED, s.id, s.customerId, now, sessionData(s, now, s.mode, null, null, trigger, null,
                null, null, null));
    }

    @Override
    @Traced("callsup.audit.modeChanged")
    public void modeChanged(SupervisionSession s, SupervisionMode from, SupervisionMode to, TriggerSource trigger) {
        Instant now = Instant.now();
        write(SupervisionEvent.MODE_CHANGED, s.id, s.customerId, now, sessionData(s, now, to, from, to, trigger, null,
                null, null, null));
    }

    @Override
    @Traced("callsup.audit.ended")
    public void ended(SupervisionSession s) {
        Instant endedAt = s.endedAt == null ? Instant.now() : s.endedAt;
        Map<String, Long> perMode = timeInModes(ModeChange.history(s.id), endedAt);
        long total = perMode.values().stream().mapToLong(Long::longValue).sum();
        write(SupervisionEvent.ENDED, s.id, s.customerId, endedAt, sessionData(s, endedAt, s.mode, null, null, null,
                name(s.endReason), endedAt, total, perMode));
    }

    /** Milliseconds spent in each mode, from the mode history up to {@code end}; every mode is listed. */
    static Map<String, Long> timeInModes(List<ModeChange> history, Instant end) {
        Map<String, Long> perMode = new LinkedHashMap<>();
        for (SupervisionMode mode : SupervisionMode.values()) {
            perMode.put(name(mode), 0L);
        }
        for (int i = 0; i < history.size(); i++) {
            ModeChange change = history.get(i);
            Instant until = i + 1 < history.size() ? history.get(i + 1).changedAt : end;
            long ms = Math.max(0, Duration.between(change.changedAt, until).toMillis());
            perMode.merge(name(change.toMode), ms, Long::sum);
        }
        return perMode;
    }

    /**
     * Keeps the last three characters of a number of seven or more (a short number is masked
     * entirely); a leading '+' stays so the number's shape is recognisable.
     */
    static String mask(String number) {
        if (number == null) {
            return null;
        }
        StringBuilder masked = new StringBuilder(number.length());
        int keepFrom = number.length() >= 7 ? number.length() - 3 : number.length();
        for (int i = 0; i < number.length(); i++) {
            char c = number.charAt(i);
            masked.append(i >= keepFrom || (i == 0 && c == '+') ? c : '*');
        }
        return masked.toString();
    }

    private SupervisionEvent.Data sessionData(SupervisionSession s, Instant now, SupervisionMode mode,
                                              SupervisionMode from, SupervisionMode to, TriggerSource trigger,
                                              String reason, Instant endedAt, Long durationMs,
                                              Map<String, Long> modeDurations) {
        Customer customer = Customer.findById(s.customerId);
        boolean show = customer != null && customer.showClientNumber;
        SupervisionEvent.ClientNumber client = s.clientNumber == null ? null
                : new SupervisionEvent.ClientNumber(show ? s.clientNumber : mask(s.clientNumber), !show);
        boolean sip = s.joinedBy != SupervisionSession.JoinedBy.APPLICATION;
        return new SupervisionEvent.Data(
                s.id.toString(),
                nextSequence(s),
                customer(customer),
                party(s.supervisorAccountId),
                party(s.agentAccountId),
                credential(customer, s.credentialRealm, s.credentialId, sip),
                authorisation(s),
                joinedBy(s),
                s.callId,
                client,
                name(mode),
                name(from), name(to),
                name(trigger),
                reason,
                null,
                s.startedAt == null ? null : s.startedAt.toString(),
                endedAt == null ? null : endedAt.toString(),
                durationMs,
                modeDurations,
                now.toString());
    }

    private static int nextSequence(SupervisionSession s) {
        s.auditSequence = s.auditSequence + 1;
        return s.auditSequence;
    }

    private static SupervisionEvent.Customer customer(Customer c) {
        return c == null ? null : new SupervisionEvent.Customer(c.id, c.name);
    }

    private static SupervisionEvent.Party party(Long accountId) {
        if (accountId == null) {
            return null;
        }
        Account account = Account.findById(accountId);
        return new SupervisionEvent.Party(accountId, account == null ? null : account.extension);
    }

    private static SupervisionEvent.Credential credential(Customer customer, String apiRealm, Long credentialId,
                                                          boolean sipDigest) {
        if (sipDigest) {
            return customer == null ? null : new SupervisionEvent.Credential("sip-digest", customer.sipDomain, null);
        }
        return new SupervisionEvent.Credential("api", apiRealm == null ? null : apiRealm.toLowerCase(Locale.ROOT),
                credentialId);
    }

    private static SupervisionEvent.Authorisation authorisation(SupervisionSession s) {
        if (s.authorisedByGroup != null) {
            HuntGroup group = HuntGroup.findById(s.authorisedByGroup);
            return new SupervisionEvent.Authorisation("hunt-group", s.authorisedByGroup, group == null ? null : group.name);
        }
        if (s.joinedBy == SupervisionSession.JoinedBy.APPLICATION) {
            return new SupervisionEvent.Authorisation("customer-credential", null, null);
        }
        return null;
    }

    private static String joinedBy(SupervisionSession s) {
        return s.joinedBy == null ? null : name(s.joinedBy);
    }

    /** Enum-like values travel as lower-case words joined by '-': SIP_INFO is "sip-info". */
    static String name(Object value) {
        return value == null ? null : value.toString().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private void write(String type, UUID sessionId, Long customerId, Instant time, SupervisionEvent.Data data) {
        UUID eventId = UUID.randomUUID();
        SupervisionEvent event = new SupervisionEvent(SupervisionEvent.SPEC_VERSION, eventId.toString(),
                config.source(), type, sessionId == null ? null : sessionId.toString(), time.toString(),
                "application/json", customerId, data);
        OutboxEvent row = new OutboxEvent();
        row.eventId = eventId;
        row.eventType = type;
        row.sessionId = sessionId;
        row.customerId = customerId;
        try {
            row.payload = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit event " + type + " could not be rendered", e);
        }
        row.persist();
        nudgeRelayAfterCommit();
    }

    /** Lets the relay publish as soon as the transaction commits instead of at its next poll. */
    private void nudgeRelayAfterCommit() {
        if (transactions.getResource(NUDGE_KEY) != null) {
            return;
        }
        transactions.putResource(NUDGE_KEY, Boolean.TRUE);
        AfterCommit.run(transactions, relay::nudge);
    }
}
