package io.callsup.supervision.machine;

import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.model.TriggerSource;
import io.callsup.supervision.machine.Effect.ActivateMedia;
import io.callsup.supervision.machine.Effect.AuditEnded;
import io.callsup.supervision.machine.Effect.AuditJoinFailed;
import io.callsup.supervision.machine.Effect.AuditModeChanged;
import io.callsup.supervision.machine.Effect.AuditStarted;
import io.callsup.supervision.machine.Effect.CancelRinging;
import io.callsup.supervision.machine.Effect.HangUp;
import io.callsup.supervision.machine.Effect.RemoveMedia;
import io.callsup.supervision.machine.Effect.SwitchMedia;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every (state, trigger) pair of the session machine. */
class SessionMachineTest {

    private static final SessionSnapshot DIALLED_JOINING = new SessionSnapshot(SessionState.JOINING, SupervisionMode.SPY,
            true, false, null);
    private static final SessionSnapshot RINGING = new SessionSnapshot(SessionState.JOINING, SupervisionMode.WHISPER,
            false, false, null);
    private static final SessionSnapshot ACTIVE_SPY = new SessionSnapshot(SessionState.ACTIVE, SupervisionMode.SPY,
            true, true, null);

    private static final List<SessionTrigger> ALL = List.of(new SessionTrigger.Answered(), new SessionTrigger.Cancelled(),
            new SessionTrigger.JoinTimedOut(), new SessionTrigger.JoinFailed(EndReason.BUSY, false),
            new SessionTrigger.JoinFailed(EndReason.MEDIA_FAILURE, true),
            new SessionTrigger.Switch(SupervisionMode.BARGE, TriggerSource.SIP_INFO, true),
            new SessionTrigger.Switch(SupervisionMode.BARGE, TriggerSource.API, false),
            new SessionTrigger.Leave(EndReason.SUPERVISOR_HUNG_UP), new SessionTrigger.Leave(EndReason.API),
            new SessionTrigger.CallEnded(), new SessionTrigger.Revoked(), new SessionTrigger.MediaLost(),
            new SessionTrigger.MediaFailed(), new SessionTrigger.RetryTeardown(), new SessionTrigger.TeardownConfirmed());

    @Test
    void onlyAnAnsweredPhoneSwitchesFlowsOn() {
        for (SessionSnapshot joining : List.of(DIALLED_JOINING, RINGING)) {
            for (SessionTrigger t : ALL) {
                Transition r = SessionMachine.next(joining, t);
                boolean activates = r.effects().stream().anyMatch(e -> e instanceof ActivateMedia);
                assertEquals(t instanceof SessionTrigger.Answered, activates, t.toString());
                assertEquals(t instanceof SessionTrigger.Answered, r.next().state() == SessionState.ACTIVE, t.toString());
            }
        }
        Transition answered = SessionMachine.next(DIALLED_JOINING, new SessionTrigger.Answered());
        assertEquals(List.of(new ActivateMedia(SupervisionMode.SPY), new AuditStarted(TriggerSource.CODE)), answered.effects());
        assertTrue(answered.next().wasActive());
        assertEquals(List.of(new ActivateMedia(SupervisionMode.WHISPER), new AuditStarted(TriggerSource.API)),
                SessionMachine.next(RINGING, new SessionTrigger.Answered()).effects());
    }

    @Test
    void aCancelledDialInEndsWithoutFlowsAndWithoutBye() {
        Transition r = SessionMachine.next(DIALLED_JOINING, new SessionTrigger.Cancelled());
        assertEquals(SessionState.ENDING, r.next().state());
        assertEquals(EndReason.CANCELLED, r.next().endReason());
        assertEquals(List.of(new RemoveMedia()), r.effects());
        assertEquals(List.of(new AuditJoinFailed(EndReason.CANCELLED)),
                SessionMachine.next(r.next(), new SessionTrigger.TeardownConfirmed()).effects());
    }

    @Test
    void aTimedOutDialInReleasesAPhoneThatMayHaveTheAnswer() {
        Transition r = SessionMachine.next(DIALLED_JOINING, new SessionTrigger.JoinTimedOut());
        assertEquals(EndReason.TIMEOUT, r.next().endReason());
        assertEquals(List.of(new RemoveMedia(), new HangUp("Supervision join timed out")), r.effects());
    }

    @Test
    void aRingingApplicationJoinIsCancelledNotHungUp() {
        assertEquals(List.of(new RemoveMedia(), new CancelRinging()),
                SessionMachine.next(RINGING, new SessionTrigger.CallEnded()).effects());
        assertEquals(List.of(new RemoveMedia(), new CancelRinging()),
                SessionMachine.next(RINGING, new SessionTrigger.Leave(EndReason.API)).effects());
        // Final error answers need no release; an answered phone whose media failed does.
        assertEquals(List.of(new RemoveMedia()),
                SessionMachine.next(RINGING, new SessionTrigger.JoinFailed(EndReason.BUSY, false)).effects());
        assertEquals(List.of(new RemoveMedia(), new HangUp("Supervision media failure")),
                SessionMachine.next(RINGING, new SessionTrigger.JoinFailed(EndReason.MEDIA_FAILURE, true)).effects());
    }

    @ParameterizedTest
    @EnumSource(SupervisionMode.class)
    void switchesChangeFlowsAndAreAudited(SupervisionMode to) {
        Transition r = SessionMachine.next(ACTIVE_SPY, new SessionTrigger.Switch(to, TriggerSource.RFC4733, true));
        if (to == SupervisionMode.SPY) {
            assertFalse(r.changed());
            assertTrue(r.effects().isEmpty());
            return;
        }
        assertEquals(to, r.next().mode());
        assertEquals(List.of(new SwitchMedia(SupervisionMode.SPY, to, true),
                new AuditModeChanged(SupervisionMode.SPY, to, TriggerSource.RFC4733)), r.effects());
        SwitchMedia viaApi = (SwitchMedia) SessionMachine.next(ACTIVE_SPY,
                new SessionTrigger.Switch(to, TriggerSource.API, true)).effects().get(0);
        assertFalse(viaApi.afterOwnDigit(), "only the supervisor's own RFC 4733 digit waits for its tail");
    }

    @Test
    void aSwitchThePolicyNoLongerAllowsRevokes() {
        Transition r = SessionMachine.next(ACTIVE_SPY, new SessionTrigger.Switch(SupervisionMode.BARGE,
                TriggerSource.SIP_INFO, false));
        assertEquals(EndReason.REVOKED, r.next().endReason());
        assertEquals(List.of(new RemoveMedia(), new HangUp("Supervision revoked")), r.effects());
    }

    @Test
    void everyEndOfAnActiveSessionRemovesMediaBeforeReleasingThePhone() {
        record Case(SessionTrigger trigger, EndReason reason, String bye) {
        }
        for (Case c : List.of(new Case(new SessionTrigger.Leave(EndReason.SUPERVISOR_HUNG_UP), EndReason.SUPERVISOR_HUNG_UP, null),
                new Case(new SessionTrigger.Leave(EndReason.API), EndReason.API, "Supervision ended by application"),
                new Case(new SessionTrigger.CallEnded(), EndReason.CALL_ENDED, "Supervised call ended"),
                new Case(new SessionTrigger.Revoked(), EndReason.REVOKED, "Supervision revoked"),
                new Case(new SessionTrigger.MediaLost(), EndReason.MEDIA_LOST, "Supervision media lost"),
                new Case(new SessionTrigger.MediaFailed(), EndReason.MEDIA_FAILURE, "Supervision media failure"))) {
            Transition r = SessionMachine.next(ACTIVE_SPY, c.trigger());
            assertEquals(SessionState.ENDING, r.next().state(), c.toString());
            assertEquals(c.reason(), r.next().endReason());
            assertEquals(c.bye() == null ? List.of(new RemoveMedia()) : List.of(new RemoveMedia(), new HangUp(c.bye())),
                    r.effects(), c.toString());
            assertFalse(r.effects().stream().anyMatch(e -> e instanceof AuditEnded),
                    "never audited as ended before rtpengine confirmed");
        }
    }

    @Test
    void endingLeavesOnlyByConfirmedTeardownAndKeepsItsFirstReason() {
        SessionSnapshot ending = SessionMachine.next(ACTIVE_SPY, new SessionTrigger.Revoked()).next();
        for (SessionTrigger t : ALL) {
            Transition r = SessionMachine.next(ending, t);
            if (t instanceof SessionTrigger.TeardownConfirmed) {
                assertEquals(SessionState.ENDED, r.next().state());
                assertEquals(List.of(new AuditEnded(EndReason.REVOKED)), r.effects());
            } else if (t instanceof SessionTrigger.RetryTeardown) {
                assertEquals(ending, r.next());
                assertEquals(List.of(new RemoveMedia()), r.effects());
            } else {
                assertFalse(r.changed(), t.toString());
                assertEquals(EndReason.REVOKED, r.next().endReason());
            }
        }
    }

    @Test
    void endedIgnoresEverything() {
        SessionSnapshot ended = new SessionSnapshot(SessionState.ENDED, SupervisionMode.SPY, true, true, EndReason.API);
        for (SessionTrigger t : ALL) {
            Transition r = SessionMachine.next(ended, t);
            assertFalse(r.changed(), t.toString());
            assertTrue(r.effects().isEmpty());
        }
    }

    @Test
    void joinOnlyTriggersDoNothingToAnActiveSession() {
        for (SessionTrigger t : List.of(new SessionTrigger.Answered(), new SessionTrigger.Cancelled(),
                new SessionTrigger.JoinTimedOut(), new SessionTrigger.JoinFailed(EndReason.BUSY, false),
                new SessionTrigger.RetryTeardown(), new SessionTrigger.TeardownConfirmed())) {
            assertFalse(SessionMachine.next(ACTIVE_SPY, t).changed(), t.toString());
        }
        for (SessionTrigger t : List.of(new SessionTrigger.Switch(SupervisionMode.BARGE, TriggerSource.API, true),
                new SessionTrigger.RetryTeardown(), new SessionTrigger.TeardownConfirmed())) {
            assertFalse(SessionMachine.next(DIALLED_JOINING, t).changed(), "nothing is audible before the answer: " + t);
        }
    }
}
