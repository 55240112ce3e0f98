package io.callsup.supervision.machine;

import io.callsup.model.EndReason;
import io.callsup.model.SupervisionMode;
import io.callsup.model.TriggerSource;

/** Everything that can happen to a session. Every way in (code, digit, API, SIP, timers, reconcilers) is one of these. */
public sealed interface SessionTrigger {

    /** The supervisor's phone is known answered: the 200 went out and was not cancelled (dial-in), or it answered 200 (application). */
    record Answered() implements SessionTrigger {
    }

    /** The phone cancelled its INVITE before the answer went out. */
    record Cancelled() implements SessionTrigger {
    }

    /** Nobody confirmed the join before its deadline. */
    record JoinTimedOut() implements SessionTrigger {
    }

    /**
     * The join failed for {@code reason} (busy, no answer, declined, origination or media failure).
     * {@code phoneUp}: the supervisor's phone had already answered, so it must be hung up.
     */
    record JoinFailed(EndReason reason, boolean phoneUp) implements SessionTrigger {
    }

    /**
     * A mode was asked for. {@code authorised} is the policy's verdict now: a switch the policy no
     * longer allows means the authorisation is gone, and the session ends as revoked.
     */
    record Switch(SupervisionMode mode, TriggerSource source, boolean authorised) implements SessionTrigger {
    }

    /** The supervisor leaves: hung up ({@code SUPERVISOR_HUNG_UP}) or asked through the API ({@code API}). */
    record Leave(EndReason reason) implements SessionTrigger {
    }

    /** The supervised call ended. */
    record CallEnded() implements SessionTrigger {
    }

    /** The authorisation is gone (feature off, flag removed, account or customer deleted). */
    record Revoked() implements SessionTrigger {
    }

    /** rtpengine no longer holds the supervisor's media, or no longer answers. */
    record MediaLost() implements SessionTrigger {
    }

    /** A media command of the last transition failed (the flows may be half switched). */
    record MediaFailed() implements SessionTrigger {
    }

    /** The media reconciler retries the teardown of a session left ENDING. */
    record RetryTeardown() implements SessionTrigger {
    }

    /** rtpengine confirmed that the supervisor's media is gone. */
    record TeardownConfirmed() implements SessionTrigger {
    }
}
