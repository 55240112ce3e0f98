package io.callsup.audit;

import io.callsup.supervision.ModeChange;
import io.callsup.model.SupervisionMode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Pure functions of the event format. */
class AuditFormatTest {

    @Test
    void masksAllButTheLastThreeCharactersKeepsALeadingPlusAndHidesShortNumbersEntirely() {
        assertThat(OutboxAuditTrail.mask("+4930123456789")).isEqualTo("+**********789");
        assertThat(OutboxAuditTrail.mask("0301234")).isEqualTo("****234");
        assertThat(OutboxAuditTrail.mask("744")).isEqualTo("***");
        assertThat(OutboxAuditTrail.mask("+12345")).isEqualTo("+*****");
        assertThat(OutboxAuditTrail.mask(null)).isNull();
    }

    @Test
    void timeInEachModeComesFromTheHistoryUpToTheEnd() {
        Instant t0 = Instant.parse("2026-01-01T10:00:00Z");
        List<ModeChange> history = List.of(change(null, SupervisionMode.SPY, t0),
                change(SupervisionMode.SPY, SupervisionMode.WHISPER, t0.plusSeconds(10)),
                change(SupervisionMode.WHISPER, SupervisionMode.BARGE, t0.plusSeconds(15)),
                change(SupervisionMode.BARGE, SupervisionMode.SPY, t0.plusSeconds(45)));
        assertThat(OutboxAuditTrail.timeInModes(history, t0.plusSeconds(50)))
                .containsExactly(java.util.Map.entry("spy", 15_000L), java.util.Map.entry("whisper", 5_000L),
                        java.util.Map.entry("barge", 30_000L));
    }

    @Test
    void enumValuesTravelAsLowerCaseWordsJoinedByDashes() {
        assertThat(OutboxAuditTrail.name(io.callsup.model.TriggerSource.SIP_INFO)).isEqualTo("sip-info");
        assertThat(OutboxAuditTrail.name(io.callsup.model.EndReason.SUPERVISOR_HUNG_UP)).isEqualTo("supervisor-hung-up");
        assertThat(OutboxAuditTrail.name(SupervisionMode.BARGE)).isEqualTo("barge");
    }

    private static ModeChange change(SupervisionMode from, SupervisionMode to, Instant at) {
        ModeChange c = new ModeChange();
        c.fromMode = from;
        c.toMode = to;
        c.changedAt = at;
        return c;
    }
}
