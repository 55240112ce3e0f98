package io.callsup.supervision.port;

import io.callsup.model.SupervisionMode;

import java.util.List;
import java.util.Optional;

/**
 * What the session machine needs from the media side (rtpengine). Every method blocks until the
 * daemon has confirmed the result or fails with {@link MediaFailure}; none is "fire and forget".
 * Implementations never name a tag they have not just seen in the call (rtpengine wedges on unknown
 * tags), and every method is idempotent: calling it again after a failure or a crash is safe.
 */
public interface MediaMixer {

    /** Where a supervisor lives inside the supervised call. {@code daemon} is host:port of the ng socket. */
    record MediaRef(String callId, String daemon, String agentTag, String clientTag, String supervisorTag) {
    }

    /** A supervisor's party exists in the call, negotiated, but with no flows: nobody hears anybody through it. */
    record Prepared(MediaRef ref, String sdp) {
    }

    /**
     * Dial-in, phase 1: adds the supervisor's party to the agent's call from the phone's SDP offer
     * and returns the SDP answer for the phone. No flow is switched on: until {@link #activate} the
     * supervisor hears nothing and nobody hears the supervisor. {@code ref.daemon} may be null: the
     * mixer finds the daemon that holds the call.
     */
    Prepared prepareDialIn(MediaRef ref, String supervisorSdpOffer);

    /** Application join, phase 1: rtpengine makes the SDP offer for the supervisor's phone. No flows. */
    Prepared prepareOrigination(MediaRef ref);

    /** Application join: the phone answered with {@code sdpAnswer}. Still no flows. */
    void completeOrigination(MediaRef ref, String sdpAnswer);

    /** Phase 2: switches the flows of {@code mode} on. Only after the phone is known answered. */
    void activate(MediaRef ref, SupervisionMode mode);

    /**
     * Changes the flows from {@code from} to {@code to}. {@code afterOwnDigit}: the supervisor's own
     * RFC 4733 digit triggered it, so flows that make the supervisor newly audible wait until the
     * digit's tail has passed.
     */
    void switchMode(MediaRef ref, SupervisionMode from, SupervisionMode to, boolean afterOwnDigit);

    /**
     * Removes every flow of the supervisor and its party (and any helper party it used). Returns
     * only once a query shows the supervisor gone from the call, or the call gone from the daemon.
     */
    void remove(MediaRef ref);

    /** The supervised call ended: removes the whole call from the daemon(s). Unknown call = done. */
    void callEnded(String callId);

    /** What a daemon really holds of a call: used by the reconciler. Empty when the daemon does not know the call. */
    Optional<CallMedia> inspect(String daemon, String callId);

    /** One call as rtpengine has it: all tags, and which of them are supervisor parties of ours (by label). */
    record CallMedia(String callId, List<String> tags, List<String> supervisorTags) {
    }

    /** Call-ids the daemon holds that carry at least one supervisor party of ours. */
    List<String> supervisedCalls(String daemon);

    /**
     * The calls of {@link #supervisedCalls} as {@link #inspect} sees them, each asked once: the
     * reconciler's whole view of a daemon for one pass.
     */
    default List<CallMedia> supervisedCallMedia(String daemon) {
        return supervisedCalls(daemon).stream().map(id -> inspect(daemon, id)).flatMap(Optional::stream)
                .filter(c -> !c.supervisorTags().isEmpty()).toList();
    }

    /** The configured daemons (host:port). */
    List<String> daemons();

    /** True when the daemon answered an ng ping. Never throws. */
    boolean alive(String daemon);

    /** Media failed; {@code unknownCall} when the daemon no longer knows the call (e.g. after a restart). */
    class MediaFailure extends RuntimeException {
        private final boolean unknownCall;

        public MediaFailure(String message, boolean unknownCall, Throwable cause) {
            super(message, cause);
            this.unknownCall = unknownCall;
        }

        public boolean unknownCall() {
            return unknownCall;
        }
    }

    /** The supervisor's phone offered no codec the mixer produces cleanly; nothing was changed in the call. */
    class NoCommonCodec extends MediaFailure {
        public NoCommonCodec(String message) {
            super(message, false, null);
        }
    }
}
