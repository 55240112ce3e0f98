package io.callsup.supervision;

import io.callsup.dialplan.DialPlan;
import io.callsup.dialplan.DialingRule;
import io.callsup.model.SupervisionMode;
import io.callsup.model.TriggerSource;
import io.callsup.supervision.machine.SessionTrigger;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/** Mode digits of each supervisor leg, in arrival order, into the session machine. */
final class DigitQueue {

    private static final Logger LOG = Logger.getLogger(DigitQueue.class);

    private final SerialTriggers serial;
    private final SessionRunner runner;
    private final SupervisionMetrics metrics;
    private final ConcurrentMap<String, Deque<Character>> pendingDigits = new ConcurrentHashMap<>();

    DigitQueue(SerialTriggers serial, SessionRunner runner, SupervisionMetrics metrics) {
        this.serial = serial;
        this.runner = runner;
        this.metrics = metrics;
    }

    /**
     * Digits of one leg are applied in arrival order. Those that arrive while an earlier switch of
     * that leg is still running are taken together and the session goes straight to the mode of the
     * last code among them: switching through modes nobody could hear only hammers rtpengine (rapid
     * inject stop/start is what makes 26.0.1.26 abort in its mixer).
     */
    /** {@code session} finds and locks the live session of the leg; it runs inside the trigger's transaction. */
    void queue(String key, char digit, TriggerSource source, Supplier<Optional<SupervisionSession>> session) {
        long arrived = System.nanoTime();
        pendingDigits.compute(key, (k, q) -> {
            Deque<Character> digits = q == null ? new ArrayDeque<>() : q;
            digits.add(digit);
            return digits;
        });
        serial.submit(key, () -> {
            List<Character> burst = new ArrayList<>();
            pendingDigits.compute(key, (k, q) -> {
                if (q != null) {
                    burst.addAll(q);
                }
                return null;
            });
            if (burst.isEmpty()) {
                return;
            }
            boolean[] switched = new boolean[1];
            Optional<SupervisionSession> after = runner.applyToLocked(session, s -> {
                SessionTrigger t = decide(s, burst, source);
                switched[0] = t != null && s.state == io.callsup.model.SessionState.ACTIVE;
                return t;
            }, null);
            if (after.isEmpty()) {
                LOG.debugf("digits %s on %s, which is no live supervisor: ignored", burst, key);
            } else if (switched[0]) {
                // From the newest digit's arrival: the one whose mode the burst ends in.
                metrics.digitApplied(source, arrived);
            }
        });
    }

    /** The switch a burst asks for: the mode of its last mode code (null when it holds none). */
    private static SessionTrigger decide(SupervisionSession s, List<Character> burst, TriggerSource source) {
        // The rule and the authorisation come from one read. When the customer or an account is gone
        // there are no facts: the rule is read alone, and a mode code ends the session as revoked.
        Optional<Authorisation.Facts> facts = Authorisation.facts(s);
        DialingRule rule = facts.map(Authorisation.Facts::rule).orElseGet(() -> DialInAdmission.ruleOf(s.customerId));
        Optional<SupervisionMode> last = Optional.empty();
        for (char d : burst) {
            Optional<SupervisionMode> mode = DialPlan.digit(String.valueOf(d), rule);
            last = mode.isPresent() ? mode : last;
        }
        if (burst.size() > 1) {
            LOG.debugf("session %s: %d queued digits %s taken together: %s", s.id, burst.size(), burst, last);
        }
        return last.<SessionTrigger>map(mode -> new SessionTrigger.Switch(mode, source, Authorisation.stillAllowed(s, facts)))
                .orElse(null);
    }
}
