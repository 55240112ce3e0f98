package io.callsup.supervision.machine;

import io.callsup.model.EndReason;
import io.callsup.model.SupervisionMode;
import io.callsup.model.TriggerSource;

/** What a transition asks the world to do, in order. The facade runs them through the core's ports. */
public sealed interface Effect {

    /** Switch the flows of {@code mode} on (the party exists, no flow is on yet). */
    record ActivateMedia(SupervisionMode mode) implements Effect {
    }

    record SwitchMedia(SupervisionMode from, SupervisionMode to, boolean afterOwnDigit) implements Effect {
    }

    /** Remove every flow and the supervisor's party; confirmed by {@link SessionTrigger.TeardownConfirmed}. */
    record RemoveMedia() implements Effect {
    }

    /** BYE on the supervisor's established leg, with this Reason text. */
    record HangUp(String reasonText) implements Effect {
    }

    /** CANCEL the service's INVITE that is still ringing the supervisor's phone. */
    record CancelRinging() implements Effect {
    }

    record AuditStarted(TriggerSource source) implements Effect {
    }

    record AuditModeChanged(SupervisionMode from, SupervisionMode to, TriggerSource source) implements Effect {
    }

    /** The session that was active is over and its media is confirmed gone. */
    record AuditEnded(EndReason reason) implements Effect {
    }

    /** A join that never became active is over (cancelled, timed out, busy...). */
    record AuditJoinFailed(EndReason reason) implements Effect {
    }
}
