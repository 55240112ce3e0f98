package io.callsup.kamailio;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The rule by which a dialog missing from dlg.list counts as ended, without Kamailio or a clock. */
class DialogAbsenceTest {

    private static final Duration GRACE = Duration.ofSeconds(60);
    private static final Duration INTERVAL = Duration.ofSeconds(30);

    private final DialogAbsence absence = new DialogAbsence(GRACE);
    private Instant now = Instant.parse("2026-01-01T12:00:00Z");
    // Kamailio started long ago.
    private Instant kamailioStart = now.minus(Duration.ofHours(1));

    private Set<String> pass(String... missing) {
        Set<String> gone = absence.confirm(Set.of(missing), Duration.between(kamailioStart, now), now);
        now = now.plus(INTERVAL);
        return gone;
    }

    @Test
    void missingOnceIsNotEnoughTwiceInARowIs() {
        assertThat(pass("a", "b")).isEmpty();
        assertThat(pass("a")).containsExactly("a");
        // b came back (the call had only just started, or a dlg.list was incomplete): never ended
        assertThat(pass("b")).isEmpty();
        assertThat(pass("b")).containsExactly("b");
    }

    @Test
    void aFailedPassBreaksTheStreak() {
        assertThat(pass("a")).isEmpty();
        absence.failed();
        now = now.plus(INTERVAL);
        assertThat(pass("a")).isEmpty();
        assertThat(pass("a")).containsExactly("a");
    }

    @Test
    void aYoungKamailioEndsNothingHoweverEmptyItsDialogList() {
        assertThat(pass("a")).isEmpty();
        // restart: the process is seconds old and has no dialogs at all
        kamailioStart = now.minusSeconds(2);
        assertThat(pass("a", "b", "c")).isEmpty();
        assertThat(pass("a", "b", "c")).isEmpty();   // 32 s old
        assertThat(pass("a", "b", "c")).isEmpty();   // 62 s old: grace over, first look only
        assertThat(pass("a", "b", "c")).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void aRestartBetweenPassesStartsAgainEvenPastTheGrace() {
        Duration longGap = Duration.ofMinutes(5);
        assertThat(pass("a")).isEmpty();
        // Kamailio restarted while the service did not look (e.g. the service was down too), and
        // is older than the grace by the next pass: the earlier "missing" no longer counts, nor does
        // the pass that notices the restart.
        now = now.plus(longGap);
        kamailioStart = now.minus(Duration.ofMinutes(2));
        assertThat(pass("a")).isEmpty();
        assertThat(pass("a")).isEmpty();
        assertThat(pass("a")).containsExactly("a");
    }

    @Test
    void uptimeJitterOfASecondIsTheSameProcess() {
        assertThat(pass("a")).isEmpty();
        kamailioStart = kamailioStart.plusSeconds(1);
        assertThat(pass("a")).containsExactly("a");
    }
}
