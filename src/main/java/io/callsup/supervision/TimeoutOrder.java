package io.callsup.supervision;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The time-outs of a join must nest, or a phone can be answered for a session the service has
 * already given up on (or the reverse): decision deadline < Kamailio's decision timeout < confirm
 * deadline. A misordered configuration stops the service at start-up instead of breaking calls.
 */
@ApplicationScoped
public class TimeoutOrder {

    void check(@Observes StartupEvent event, SupervisionConfig config) {
        List<String> problems = problems(config.decisionDeadline(), config.kamailioDecisionTimeout(),
                config.confirmDeadline());
        if (!problems.isEmpty()) {
            throw new IllegalStateException("callsup.supervision time-outs misordered: " + String.join("; ", problems));
        }
    }

    static List<String> problems(Duration decisionDeadline, Duration kamailioTimeout, Duration confirmDeadline) {
        List<String> problems = new ArrayList<>();
        if (decisionDeadline.isNegative() || decisionDeadline.isZero()) {
            problems.add("decision-deadline must be positive");
        }
        if (decisionDeadline.compareTo(kamailioTimeout) >= 0) {
            problems.add("decision-deadline (" + decisionDeadline + ") must be shorter than kamailio-decision-timeout ("
                    + kamailioTimeout + "), or Kamailio answers 503 while the service still accepts");
        }
        if (confirmDeadline.compareTo(kamailioTimeout) <= 0) {
            problems.add("confirm-deadline (" + confirmDeadline + ") must be longer than kamailio-decision-timeout ("
                    + kamailioTimeout + "), or a join Kamailio is still answering is timed out");
        }
        return problems;
    }
}
