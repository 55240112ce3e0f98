package io.callsup.media;

import static io.callsup.media.SyncNg.cmd;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.callsup.supervision.port.MediaMixer.MediaFailure;
import io.callsup.supervision.port.MediaMixer.MediaRef;

/** The ng steps {@link RtpengineMixer} is built from; each names only tags a query just showed. */
final class MixerSteps {
    static final String SUPERVISOR_LABEL = "callsup-supervisor";
    static final String IDLE_LABEL = "callsup-idle";
    static final List<String> DIRECTIONAL = List.of("directional");
    /**
     * The {@code codec} option of every offer the mixer makes for a supervisor (dial-in and
     * origination): rtpengine encodes the mix it sends a phone that chose Opus at 64 kbit/s instead
     * of its default 32 (the supervisor hears only rtpengine's encoding). At 32 kbit/s an Opus supervisor hearing two
     * parties got 29 dB above the coding noise (MixerCodecMatrixTest, README "Codec matrix").
     * Kamailio gives ordinary calls the same setting (kamailio.cfg, {@code RTPE_LEG_FLAGS}).
     */
    static final Map<String, Object> OPUS_ENCODER = Map.of("set", List.of("opus/48000/2/64000"));

    /**
     * Flags of every negotiation that gives an idle slot its next phone. rtpengine keys a media's
     * local ports by the remote endpoint: an SDP naming a new address gets a new port pair, and the
     * old pair stays bound until the call ends (daemon/call.c, __get_endpoint_map). Every re-join
     * brings a new phone, so without this each one kept two ports (issue 12's soak: "Ran out of
     * ports"); with it the slot keeps its ports and only the peer address changes
     * (MixerPortLeakTest).
     */
    static final List<String> PORT_LATCHING = List.of("port latching");

    private final SyncNg ng;

    MixerSteps(SyncNg ng) {
        this.ng = ng;
    }

    record Slot(String tag, String ph, boolean exists) {
    }

    /** Tag of the placeholder party that is the far end of supervisor {@code s}'s offer/answer pair. */
    static String placeholderTag(String s) {
        return s + "-callsup-ph";
    }

    /**
     * The requested tag when it already is a slot of this call (a retry), else an idle slot of the
     * call, else the requested tag as a new slot.
     */
    static Slot pickSlot(CallView v, MediaRef ref) {
        String want = ref.supervisorTag();
        String wantPh = placeholderTag(want);
        if (v.has(want) && v.has(wantPh)) {
            return new Slot(want, wantPh, true);
        }
        if (v.has(want) || v.has(wantPh)) {
            throw new MediaFailure("tag " + want + " is already used in call " + ref.callId()
                    + " by a party that is not a supervisor slot", false, null);
        }
        for (String t : new TreeSet<>(v.tags())) {
            String ph = placeholderTag(t);
            if (IDLE_LABEL.equals(v.label(t)) && v.has(ph)) {
                return new Slot(t, ph, true);
            }
        }
        return new Slot(want, wantPh, false);
    }

    /**
     * After a negotiation: S's output is the mix (armed), the placeholder gets nothing, S is ours.
     * No query first: the offer/answer just made always subscribes the placeholder to S, so the
     * unsubscribe names a subscription that exists (one ng command fewer on the join's path).
     */
    void bind(NgAddress d, String id, String s, String ph) {
        ng.send(d, cmd("connect", id, "from-tag", ph, "to-tag", s, "flags", DIRECTIONAL, "audio player", "force"));
        ng.send(d, cmd("unsubscribe", id, "from-tag", s, "to-tag", ph, "flags", DIRECTIONAL));
        label(d, id, s, SUPERVISOR_LABEL);
    }

    void unsubscribePlaceholder(NgAddress d, String id, String s, String ph) {
        if (ng.query(d, id).receives(ph, s)) {
            ng.send(d, cmd("unsubscribe", id, "from-tag", s, "to-tag", ph, "flags", DIRECTIONAL));
        }
    }

    /** block DTMF doubles as the carrier of set-label: S's digits are never forwarded anyway. */
    void label(NgAddress d, String id, String s, String label) {
        ng.send(d, cmd("block DTMF", id, "from-tag", s, "flags", DIRECTIONAL, "set-label", label));
    }

    void inject(NgAddress d, String id, String command, String from, String to) {
        ng.send(d, cmd(command, id, "to-tag", to, "source-tag", from));
    }

    void arm(NgAddress d, CallView v, String id, String a, String c, String audioPlayer) {
        CallView.Tag at = v.tag(a);
        CallView.Tag ct = v.tag(c);
        // connect segfaults rtpengine across mismatched a=mid; an offer/answer pair has matching mids.
        if (at == null || ct == null || !at.offerAnswerPeers().contains(c) || !ct.offerAnswerPeers().contains(a)) {
            throw new MediaFailure("agent " + a + " and client " + c + " of call " + id
                    + " are not an offer/answer pair in rtpengine; refusing to connect them", false, null);
        }
        ng.send(d, cmd("connect", id, "from-tag", c, "to-tag", a, "flags", DIRECTIONAL, "audio player", audioPlayer));
        ng.send(d, cmd("connect", id, "from-tag", a, "to-tag", c, "flags", DIRECTIONAL, "audio player", audioPlayer));
    }

    /**
     * Co-supervisors (README, "Several supervisors"): each active supervisor receives every other,
     * so a supervisor hears everyone the agent or the client hears. A spying supervisor's media is
     * blocked at its source, so it stays silent for its co-supervisors too without another flow
     * change; a mode switch therefore never touches these flows.
     */
    void hearEachOther(NgAddress d, CallView v, MediaRef ref) {
        String s = ref.supervisorTag();
        for (String t : new TreeSet<>(v.tags())) {
            if (t.equals(s) || !SUPERVISOR_LABEL.equals(v.label(t)) || !v.flows(ref.agentTag(), t)) {
                continue; // not a co-supervisor, or one still joining (it hears nobody yet)
            }
            if (!v.flows(s, t)) {
                inject(d, ref.callId(), "inject start", s, t);
            }
            if (!v.flows(t, s)) {
                inject(d, ref.callId(), "inject start", t, s);
            }
        }
    }

    static void requireLegs(CallView v, MediaRef ref) {
        if (!v.has(ref.agentTag()) || !v.has(ref.clientTag())) {
            throw new MediaFailure("call " + ref.callId() + " has no " + (v.has(ref.agentTag()) ? "client tag "
                    + ref.clientTag() : "agent tag " + ref.agentTag()) + " in rtpengine; nothing done", false, null);
        }
    }

    static String sdp(Map<String, Object> reply) {
        if (reply.get("sdp") instanceof String s && !s.isBlank()) {
            return s;
        }
        throw new MediaFailure("rtpengine reply without SDP", false, null);
    }
}
