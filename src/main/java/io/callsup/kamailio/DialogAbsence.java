package io.callsup.kamailio;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * When may the reconciler take "not in dlg.list" for "ended"? Not from one look: a Kamailio that
 * has just restarted may answer with fewer dialogs than it carries (or none, if its dialog table was
 * lost), a call may start between reading dlg.list and reading the registry, and a dlg.list that
 * fails says nothing at all. So:
 * <ul>
 *     <li>a failed pass concludes nothing and breaks the streak;</li>
 *     <li>while Kamailio is younger than the grace period, or when it restarted since the previous
 *     pass, nothing counts as ended and the streak starts again;</li>
 *     <li>otherwise a call-id counts as ended only when it was missing from this and the previous
 *     successful pass of the same Kamailio process.</li>
 * </ul>
 * Pure and clock-free (the caller passes "now"), so it is tested without Kamailio.
 */
final class DialogAbsence {

    // core.uptime has whole seconds, and "now" is read a moment after Kamailio's clock: the start
    // time computed from it wobbles by a second or two between passes of the same process.
    private static final Duration SAME_PROCESS = Duration.ofSeconds(3);

    private final Duration grace;
    private Set<String> missingBefore = Set.of();
    private Instant kamailioStart;

    DialogAbsence(Duration grace) {
        this.grace = grace;
    }

    /** A pass whose dlg.list or core.uptime failed. */
    synchronized void failed() {
        missingBefore = Set.of();
    }

    /**
     * A successful pass. {@code missingNow}: the call-ids the service holds as live that this
     * dlg.list lacks; {@code uptime}: Kamailio's, read <em>after</em> dlg.list (so a dlg.list from a
     * process newer than the uptime's cannot happen). Returns the call-ids to treat as ended now.
     */
    synchronized Set<String> confirm(Set<String> missingNow, Duration uptime, Instant now) {
        Instant start = now.minus(uptime);
        boolean restarted = kamailioStart != null
                && Duration.between(kamailioStart, start).abs().compareTo(SAME_PROCESS) > 0;
        kamailioStart = start;
        if (restarted || uptime.compareTo(grace) < 0) {
            missingBefore = Set.of();
            return Set.of();
        }
        Set<String> gone = new HashSet<>(missingNow);
        gone.retainAll(missingBefore);
        missingBefore = Set.copyOf(missingNow);
        return gone;
    }
}
