package io.callsup.supervision.machine;

import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
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
import io.callsup.supervision.machine.SessionTrigger.Answered;
import io.callsup.supervision.machine.SessionTrigger.CallEnded;
import io.callsup.supervision.machine.SessionTrigger.Cancelled;
import io.callsup.supervision.machine.SessionTrigger.JoinFailed;
import io.callsup.supervision.machine.SessionTrigger.JoinTimedOut;
import io.callsup.supervision.machine.SessionTrigger.Leave;
import io.callsup.supervision.machine.SessionTrigger.MediaFailed;
import io.callsup.supervision.machine.SessionTrigger.MediaLost;
import io.callsup.supervision.machine.SessionTrigger.Revoked;
import io.callsup.supervision.machine.SessionTrigger.Switch;
import io.callsup.supervision.machine.SessionTrigger.TeardownConfirmed;

import java.util.ArrayList;
import java.util.List;

/**
 * The supervision session as a pure transition table: (snapshot, trigger) → (snapshot, effects).
 * <p>
 * The invariant it encodes: flows are switched on only in the transition to ACTIVE, which only an
 * answered phone causes; every end goes through ENDING, whose only way out is rtpengine confirming
 * that the supervisor's media is gone, and only then is the end audited. Media is removed before the
 * phone is released, so the last thing a torn-down supervisor gets is silence, not the call.
 */
public final class SessionMachine {

    private SessionMachine() {
    }

    /** The Reason text of the BYE that releases a supervisor for {@code reason}. */
    public static String byeText(EndReason reason) {
        switch (reason) {
            case API:
                return "Supervision ended by application";
            case CALL_ENDED:
                return "Supervised call ended";
            case REVOKED:
                return "Supervision revoked";
            case MEDIA_LOST:
                return "Supervision media lost";
            case MEDIA_FAILURE:
                return "Supervision media failure";
            case TIMEOUT:
                return "Supervision join timed out";
            default:
                return "Supervision ended";
        }
    }

    public static Transition next(SessionSnapshot s, SessionTrigger t) {
        switch (s.state()) {
            case JOINING:
                return joining(s, t);
            case ACTIVE:
                return active(s, t);
            case ENDING:
                if (t instanceof SessionTrigger.RetryTeardown) {
                    return new Transition(s, List.of(new RemoveMedia()), true);
                }
                return t instanceof TeardownConfirmed
                        ? new Transition(s.with(SessionState.ENDED, s.mode(), s.wasActive(), s.endReason()),
                                List.of(s.wasActive() ? new AuditEnded(s.endReason())
                                        : new AuditJoinFailed(s.endReason())), true)
                        : Transition.ignore(s);
            default:
                return Transition.ignore(s);
        }
    }

    private static Transition joining(SessionSnapshot s, SessionTrigger t) {
        if (t instanceof Answered) {
            return new Transition(s.with(SessionState.ACTIVE, s.mode(), true, null),
                    List.of(new ActivateMedia(s.mode()),
                            new AuditStarted(s.dialledIn() ? TriggerSource.CODE : TriggerSource.API)), true);
        }
        if (t instanceof Cancelled) {
            // 487 already went to the phone: nothing to release.
            return ending(s, EndReason.CANCELLED, null);
        }
        if (t instanceof JoinTimedOut) {
            // Kamailio may have sent the 200 and failed to tell us: release a phone that may be up.
            return ending(s, EndReason.TIMEOUT, byeText(EndReason.TIMEOUT));
        }
        if (t instanceof JoinFailed f) {
            // A phone that gave a final error answer has nothing to release; one that answered has.
            return f.phoneUp() ? endingWithBye(s, f.reason(), byeText(EndReason.MEDIA_FAILURE))
                    : ending(s, f.reason(), null);
        }
        if (t instanceof Leave l) {
            return ending(s, l.reason(), l.reason() == EndReason.API ? byeText(EndReason.API) : null);
        }
        // Nothing is audible before the phone answered; a digit cannot come from an unanswered phone.
        return t instanceof Switch || t instanceof TeardownConfirmed || t instanceof SessionTrigger.RetryTeardown
                ? Transition.ignore(s) : commonEnd(s, t);
    }

    private static Transition active(SessionSnapshot s, SessionTrigger t) {
        if (t instanceof Switch w) {
            if (!w.authorised()) {
                return ending(s, EndReason.REVOKED, byeText(EndReason.REVOKED));
            }
            if (w.mode() == s.mode()) {
                return Transition.ignore(s);
            }
            return new Transition(s.with(SessionState.ACTIVE, w.mode(), true, null),
                    List.of(new SwitchMedia(s.mode(), w.mode(), w.source() == TriggerSource.RFC4733),
                            new AuditModeChanged(s.mode(), w.mode(), w.source())), true);
        }
        if (t instanceof Leave l) {
            return ending(s, l.reason(), l.reason() == EndReason.SUPERVISOR_HUNG_UP ? null
                    : byeText(EndReason.API));
        }
        boolean joinOnly = t instanceof Answered || t instanceof Cancelled || t instanceof JoinTimedOut
                || t instanceof JoinFailed || t instanceof TeardownConfirmed || t instanceof SessionTrigger.RetryTeardown;
        return joinOnly ? Transition.ignore(s) : commonEnd(s, t);
    }

    /** Ends that mean the same in JOINING and ACTIVE. */
    private static Transition commonEnd(SessionSnapshot s, SessionTrigger t) {
        if (t instanceof CallEnded) {
            return ending(s, EndReason.CALL_ENDED, byeText(EndReason.CALL_ENDED));
        }
        if (t instanceof Revoked) {
            return ending(s, EndReason.REVOKED, byeText(EndReason.REVOKED));
        }
        if (t instanceof MediaLost) {
            return ending(s, EndReason.MEDIA_LOST, byeText(EndReason.MEDIA_LOST));
        }
        if (t instanceof MediaFailed) {
            return ending(s, EndReason.MEDIA_FAILURE, byeText(EndReason.MEDIA_FAILURE));
        }
        throw new IllegalArgumentException("unhandled trigger " + t + " in " + s.state());
    }

    /**
     * Into ENDING: media first, then the phone. {@code byeReason} null: the phone's side is already
     * gone (it hung up, or got a final error answer). An application join still ringing is cancelled
     * instead of hung up.
     */
    private static Transition ending(SessionSnapshot s, EndReason reason, String byeReason) {
        boolean ringing = s.state() == SessionState.JOINING && !s.dialledIn();
        Effect release = byeReason == null ? null : ringing ? new CancelRinging() : new HangUp(byeReason);
        return into(s, reason, release);
    }

    private static Transition endingWithBye(SessionSnapshot s, EndReason reason, String byeReason) {
        return into(s, reason, new HangUp(byeReason));
    }

    private static Transition into(SessionSnapshot s, EndReason reason, Effect release) {
        List<Effect> effects = new ArrayList<>();
        effects.add(new RemoveMedia());
        if (release != null) {
            effects.add(release);
        }
        return new Transition(s.with(SessionState.ENDING, s.mode(), s.wasActive(), reason), List.copyOf(effects), true);
    }
}
