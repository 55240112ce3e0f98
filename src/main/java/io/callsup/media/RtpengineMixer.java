package io.callsup.media;

import static io.callsup.media.SyncNg.cmd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import io.callsup.model.SupervisionMode;
import io.callsup.supervision.port.MediaMixer;
import io.callsup.supervision.port.Traced;
import io.callsup.tracing.CallsupTracer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * {@link MediaMixer} on rtpengine (design/rtpengine.md, "Recommended recipe"), blocking.
 * <p>
 * <b>Supervisor slots.</b> rtpengine never forgets a party: {@code delete} of one tag only drops it
 * from the tag index, while {@code query} (and the media ports) keep it until the whole call ends,
 * so every join/leave cycle used to grow the call by two parties until {@code query} no longer fit
 * a datagram. A supervisor therefore lives in a <i>slot</i>: its tag S plus a placeholder tag
 * {@code S-callsup-ph} negotiated with it (offer/answer, so S keeps telephone-event). Leaving makes
 * the slot idle (no flows, audio player off, label {@value #IDLE_LABEL}); the next join on the call
 * re-negotiates an idle slot instead of creating parties, so {@link Prepared#ref()} may carry a
 * different supervisor tag than asked for. The core must use that ref (and its tag for DTMF).
 * <p>
 * <b>No audio to the placeholder.</b> After each negotiation the placeholder's subscription to S is
 * removed ({@code unsubscribe}, directional), so S's RTP is only ever forwarded through inject flows.
 * <p>
 * Every method first {@code query}s and names only tags the reply showed (unknown tags can wedge
 * rtpengine); state is read from the daemon, never kept here, so every method is idempotent.
 */
@ApplicationScoped
public class RtpengineMixer implements MediaMixer {
    private static final Logger LOG = Logger.getLogger(RtpengineMixer.class);
    static final String SUPERVISOR_LABEL = MixerSteps.SUPERVISOR_LABEL;
    static final String IDLE_LABEL = MixerSteps.IDLE_LABEL;
    private static final List<String> DIRECTIONAL = MixerSteps.DIRECTIONAL;
    private static final Pattern TELEPHONE_EVENT = Pattern.compile("(?im)^a=rtpmap:\\d+\\s+telephone-event/");

    private final SyncNg ng;
    private final MixerSteps steps;
    private final PortHeadroom headroom;
    private final Duration audibleAfterDigitDelay;
    private final NgAddress placeholder;
    private final int listLimit;
    private final ReentrantLock[] callLocks = new ReentrantLock[64];

    @Inject
    public RtpengineMixer(NgClient ng, MediaConfig config, CallsupTracer tracer) {
        this(ng, config.commandDeadline(), config.audibleAfterDigitDelay(), NgAddress.parse(config.placeholder()),
                config.listLimit());
        this.ng.traceWith(tracer.get());
    }

    public RtpengineMixer(NgClient ng, Duration commandDeadline, Duration audibleAfterDigitDelay,
            NgAddress placeholder, int listLimit) {
        this.ng = new SyncNg(ng, commandDeadline);
        this.steps = new MixerSteps(this.ng);
        this.headroom = new PortHeadroom(this.ng);
        this.audibleAfterDigitDelay = audibleAfterDigitDelay;
        this.placeholder = placeholder;
        this.listLimit = listLimit;
        for (int i = 0; i < callLocks.length; i++) {
            callLocks[i] = new ReentrantLock();
        }
    }

    // ------------------------------------------------------------------ join

    /** Where a joining supervisor goes: the daemon holding the call, and a free or fresh slot in it. */
    private record SlotChoice(NgAddress daemon, MixerSteps.Slot slot, MediaRef ref, List<SdpCodecs.Codec> callCodecs) {
    }

    private SlotChoice chooseSlot(MediaRef ref) {
        // A dial-in's ref names no daemon yet: the query that finds the call is the one the slot is chosen from.
        // The daemon Kamailio named is used only if it is one of ours: a name the service does not
        // know (another spelling, a daemon not configured) would escape the reconciler's pings.
        NgAddress named = known(ref.daemon());
        Located at = named != null ? new Located(named, ng.query(named, ref.callId())) : locate(ref.callId());
        NgAddress d = at.daemon();
        CallView v = at.view();
        MixerSteps.requireLegs(v, ref);
        MixerSteps.Slot s = MixerSteps.pickSlot(v, ref);
        List<SdpCodecs.Codec> codecs = new ArrayList<>();
        for (String leg : new String[] {ref.agentTag(), ref.clientTag()}) {
            if (v.codec(leg) != null) {
                codecs.add(SdpCodecs.Codec.fromQuery(v.codec(leg)));
            }
        }
        return new SlotChoice(d, s, new MediaRef(ref.callId(), d.toString(), ref.agentTag(), ref.clientTag(), s.tag()),
                codecs);
    }

    @Override
    @Traced("callsup.media.prepareDialIn")
    public Prepared prepareDialIn(MediaRef ref, String supervisorSdpOffer) {
        return locked(ref.callId(), () -> {
            SlotChoice c = chooseSlot(ref);
            NgAddress d = c.daemon();
            MixerSteps.Slot s = c.slot();
            MediaRef r = c.ref();
            // Chosen before rtpengine is touched, so a phone with nothing mixable leaves no trace.
            List<SdpCodecs.Codec> offered = SdpCodecs.audio(supervisorSdpOffer);
            SdpCodecs.Codec chosen = SupervisorCodecs.choose(c.callCodecs(), offered)
                    .orElseThrow(() -> new NoCommonCodec("the supervisor's phone offered "
                            + offered.stream().map(SdpCodecs.Codec::name).toList()
                            + "; the mixer needs one of G722, opus, PCMU, PCMA"));
            if (!s.exists()) {
                headroom.requireForNewSlot(d, r.callId());
            }
            try {
                String toPh = MixerSteps.sdp(ng.send(d, cmd("offer", r.callId(), "from-tag", s.tag(), "to-tag",
                        s.exists() ? s.ph() : null, "sdp", supervisorSdpOffer, "label", SUPERVISOR_LABEL,
                        "codec", MixerSteps.OPUS_ENCODER, "flags", MixerSteps.PORT_LATCHING)));
                String answer = MixerSteps.sdp(ng.send(d, cmd("answer", r.callId(), "from-tag", s.tag(), "to-tag", s.ph(), "sdp",
                        Placeholder.answer(SupervisorCodecs.cutTo(toPh, chosen), placeholder))));
                if (hasTelephoneEvent(supervisorSdpOffer) && !hasTelephoneEvent(answer)) {
                    throw new MediaFailure("rtpengine's answer to supervisor " + s.tag() + " lost telephone-event", false,
                            null);
                }
                steps.bind(d, r.callId(), s.tag(), s.ph());
                return new Prepared(r, answer);
            } catch (MediaFailure f) {
                throw releaseAfter(d, r, "prepare (dial-in)", f);
            }
        });
    }

    @Override
    @Traced("callsup.media.prepareOrigination")
    public Prepared prepareOrigination(MediaRef ref) {
        return locked(ref.callId(), () -> {
            SlotChoice c = chooseSlot(ref);
            NgAddress d = c.daemon();
            MixerSteps.Slot s = c.slot();
            MediaRef r = c.ref();
            List<String> offerOrder = SupervisorCodecs.offerOrder(c.callCodecs());
            if (!s.exists()) {
                headroom.requireForNewSlot(d, r.callId());
            }
            try {
                if (!s.exists()) {
                    // Creates the slot with both tags named, the phone side parked on the placeholder
                    // address; an offer from the placeholder alone would leave S untagged until the answer.
                    String toPh = MixerSteps.sdp(ng.send(d, cmd("offer", r.callId(), "from-tag", s.tag(), "sdp",
                            Placeholder.offer(placeholder, offerOrder), "label", SUPERVISOR_LABEL, "codec",
                            MixerSteps.OPUS_ENCODER)));
                    ng.send(d, cmd("answer", r.callId(), "from-tag", s.tag(), "to-tag", s.ph(), "sdp",
                            Placeholder.answer(toPh, placeholder)));
                }
                // The placeholder "re-invites" S: rtpengine's SDP towards S is the offer for the phone.
                String offer = MixerSteps.sdp(ng.send(d, cmd("offer", r.callId(), "from-tag", s.ph(), "to-tag", s.tag(), "sdp",
                        Placeholder.offer(placeholder, offerOrder), "codec", MixerSteps.OPUS_ENCODER)));
                steps.unsubscribePlaceholder(d, r.callId(), s.tag(), s.ph());
                steps.label(d, r.callId(), s.tag(), SUPERVISOR_LABEL);
                return new Prepared(r, offer);
            } catch (MediaFailure f) {
                throw releaseAfter(d, r, "prepare (origination)", f);
            }
        });
    }

    @Override
    @Traced("callsup.media.completeOrigination")
    public void completeOrigination(MediaRef ref, String sdpAnswer) {
        locked(ref.callId(), () -> {
            NgAddress d = daemonOf(ref);
            CallView v = ng.query(d, ref.callId());
            MixerSteps.requireLegs(v, ref);
            String s = ref.supervisorTag();
            String ph = MixerSteps.placeholderTag(s);
            if (!v.has(s) || !v.has(ph) || !SUPERVISOR_LABEL.equals(v.label(s))) {
                throw new MediaFailure("supervisor " + s + " is not prepared in call " + ref.callId(), false, null);
            }
            ng.send(d, cmd("answer", ref.callId(), "from-tag", ph, "to-tag", s, "sdp", sdpAnswer, "flags",
                    MixerSteps.PORT_LATCHING));
            steps.bind(d, ref.callId(), s, ph);
            return null;
        });
    }

    // ------------------------------------------------------------------ flows

    @Override
    @Traced("callsup.media.activate")
    public void activate(MediaRef ref, SupervisionMode mode) {
        locked(ref.callId(), () -> {
            NgAddress d = daemonOf(ref);
            String id = ref.callId();
            String a = ref.agentTag();
            String c = ref.clientTag();
            String s = ref.supervisorTag();
            CallView v = requireParty(d, ref);
            for (String leg : new String[] {a, c}) {
                if (!v.flows(leg, s)) {
                    steps.inject(d, id, "inject start", leg, s);
                }
            }
            if (!v.armed(a, c)) {
                steps.arm(d, v, id, a, c, "force");
            }
            // Muted before it is ever audible, so spy never leaks a packet of S.
            ng.send(d, cmd(mode == SupervisionMode.SPY ? "block media" : "unblock media", id, "from-tag", s, "flags",
                    DIRECTIONAL));
            if (!v.flows(s, a)) {
                steps.inject(d, id, "inject start", s, a);
            }
            // No "block DTMF" for S here: every way to a prepared party ends with MixerSteps.label, a
            // block DTMF after the last negotiation (prepareDialIn, completeOrigination), and nothing
            // unblocks it; S's digits are never forwarded.
            if (mode == SupervisionMode.BARGE && !v.flows(s, c)) {
                steps.inject(d, id, "inject start", s, c);
            } else if (mode != SupervisionMode.BARGE && v.flows(s, c)) {
                steps.inject(d, id, "inject stop", s, c);
            }
            steps.hearEachOther(d, v, ref);
            return null;
        });
    }

    @Override
    @Traced("callsup.media.switchMode")
    public void switchMode(MediaRef ref, SupervisionMode from, SupervisionMode to, boolean afterOwnDigit) {
        locked(ref.callId(), () -> {
            NgAddress d = daemonOf(ref);
            String id = ref.callId();
            String s = ref.supervisorTag();
            String c = ref.clientTag();
            CallView v = requireParty(d, ref);
            if (!v.flows(s, ref.agentTag())) {
                throw new MediaFailure("supervisor " + s + " is not active in call " + id + "; activate first", false,
                        null);
            }
            boolean barge = v.flows(s, c);
            if (to == SupervisionMode.SPY) {
                ng.send(d, cmd("block media", id, "from-tag", s, "flags", DIRECTIONAL));
                if (barge) {
                    steps.inject(d, id, "inject stop", s, c);
                }
                return null;
            }
            if (to == SupervisionMode.WHISPER && barge) {
                steps.inject(d, id, "inject stop", s, c);
            }
            boolean becomesAudible = from == SupervisionMode.SPY || (to == SupervisionMode.BARGE && !barge);
            if (afterOwnDigit && becomesAudible && !audibleAfterDigitDelay.isZero()) {
                sleep(audibleAfterDigitDelay); // the digit's tail must not be mixed in (rtpengine.md)
            }
            ng.send(d, cmd("unblock media", id, "from-tag", s, "flags", DIRECTIONAL));
            if (to == SupervisionMode.BARGE && !barge) {
                steps.inject(d, id, "inject start", s, c);
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ leave

    @Override
    @Traced("callsup.media.remove")
    public void remove(MediaRef ref) {
        locked(ref.callId(), () -> {
            Located at = ref.daemon() != null ? new Located(NgAddress.parse(ref.daemon()), null) : find(ref.callId());
            NgAddress d = at == null ? null : at.daemon();
            if (d != null) {
                release(d, ref);
            }
            return null;
        });
    }

    /** Stops every flow of S, makes its slot idle, and confirms by query. Idempotent. */
    private void release(NgAddress d, MediaRef ref) {
        String id = ref.callId();
        String s = ref.supervisorTag();
        String ph = MixerSteps.placeholderTag(s);
        CallView v = ng.queryOrNull(d, id);
        if (v == null || !v.has(s)) {
            return;
        }
        // Agent, client and co-supervisors alike: nobody hears S, S hears nobody.
        for (String other : new TreeSet<>(v.tags())) {
            if (!other.equals(s) && v.flows(s, other)) {
                steps.inject(d, id, "inject stop", s, other);
            }
        }
        for (String other : new TreeSet<>(v.tags())) {
            if (!other.equals(s) && v.flows(other, s)) {
                steps.inject(d, id, "inject stop", other, s);
            }
        }
        Set<String> others = new HashSet<>(v.supervisors(ref.agentTag(), ref.clientTag()));
        others.remove(s);
        String a = ref.agentTag();
        String c = ref.clientTag();
        if (others.isEmpty() && v.has(a) && v.has(c) && (v.tag(a).audioPlayer() || v.tag(c).audioPlayer())) {
            steps.arm(d, v, id, a, c, "off");
        }
        if (!v.has(ph)) {
            // Not one of our slots (e.g. a party left by an older recipe that used create): delete it
            // now; a query scoped to the tag no longer finds a deleted party.
            ng.send(d, cmd("delete", id, "from-tag", s, "delete delay", 0));
            CallView after = CallView.parse(ng.send(d, cmd("query", id, "from-tag", s)));
            if (after.has(s)) {
                throw new MediaFailure("supervisor " + s + " still in call " + id + " after delete", false, null);
            }
            return;
        }
        if (v.tag(s).audioPlayer()) {
            // An idle armed S would keep sending mixed silence to the phone that left.
            ng.send(d, cmd("connect", id, "from-tag", ph, "to-tag", s, "flags", DIRECTIONAL, "audio player", "off"));
        }
        if (v.receives(ph, s)) {
            ng.send(d, cmd("unsubscribe", id, "from-tag", s, "to-tag", ph, "flags", DIRECTIONAL));
        }
        steps.label(d, id, s, IDLE_LABEL);
        CallView after = ng.queryOrNull(d, id);
        if (after != null && !idle(after, s, ph)) {
            throw new MediaFailure("supervisor " + s + " of call " + id + " still has flows after removal", false,
                    null);
        }
    }

    /** S is an idle slot: labelled idle, nobody receives it and it receives nothing but its placeholder. */
    static boolean idle(CallView v, String s, String ph) {
        if (!v.has(s)) {
            return true;
        }
        CallView.Tag t = v.tag(s);
        if (!IDLE_LABEL.equals(t.label()) || t.audioPlayer() || !t.pubSubFrom().isEmpty()) {
            return false;
        }
        return v.tags().stream().noneMatch(o -> !o.equals(s) && v.receives(o, s));
    }

    private MediaFailure releaseAfter(NgAddress d, MediaRef r, String op, MediaFailure f) {
        if (f.unknownCall()) {
            return f;
        }
        try {
            release(d, r);
            return new MediaFailure(op + " of supervisor " + r.supervisorTag() + " failed (slot released): "
                    + f.getMessage(), false, f);
        } catch (MediaFailure g) {
            LOG.warnf("releasing supervisor %s on call %s after a failed %s also failed: %s", r.supervisorTag(),
                    r.callId(), op, g.getMessage());
            return new MediaFailure(op + " of supervisor " + r.supervisorTag() + " failed (release failed too: "
                    + g.getMessage() + "): " + f.getMessage(), g.unknownCall(), f);
        }
    }

    @Override
    @Traced("callsup.media.callEnded")
    public void callEnded(String callId) {
        MediaFailure first = null;
        for (NgAddress d : ng.client().daemons()) {
            try {
                ng.send(d, cmd("delete", callId, "delete delay", 0));
            } catch (MediaFailure f) {
                if (!f.unknownCall() && first == null) {
                    first = f;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    // ------------------------------------------------------------------ inspection

    @Override
    public Optional<CallMedia> inspect(String daemon, String callId) {
        CallView v = ng.queryOrNull(NgAddress.parse(daemon), callId);
        if (v == null) {
            return Optional.empty();
        }
        List<String> ours = v.tags().stream().filter(t -> SUPERVISOR_LABEL.equals(v.label(t))).sorted().toList();
        return Optional.of(new CallMedia(callId, List.copyOf(new TreeSet<>(v.tags())), ours));
    }

    @Override
    public List<String> supervisedCalls(String daemon) {
        return supervisedCallMedia(daemon).stream().map(CallMedia::callId).toList();
    }

    /** One {@code list}, then one {@code query} per call (the query is the only way to see our labels). */
    @Override
    public List<CallMedia> supervisedCallMedia(String daemon) {
        Map<String, Object> reply = ng.send(NgAddress.parse(daemon), cmd("list", null, "limit", (long) listLimit));
        if (!(reply.get("calls") instanceof List<?> calls)) {
            throw new MediaFailure("rtpengine " + daemon + " answered 'list' without calls", false, null);
        }
        List<CallMedia> out = new ArrayList<>();
        for (Object o : calls) {
            if (o instanceof String id) {
                inspect(daemon, id).filter(m -> !m.supervisorTags().isEmpty()).ifPresent(out::add);
            }
        }
        return out;
    }

    @Override
    public List<String> daemons() {
        return ng.client().daemons().stream().map(NgAddress::toString).toList();
    }

    @Override
    public boolean alive(String daemon) {
        try {
            ng.send(NgAddress.parse(daemon), cmd("ping", null), Duration.ofMillis(300), 1);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ helpers

    private CallView requireParty(NgAddress d, MediaRef ref) {
        CallView v = ng.query(d, ref.callId());
        MixerSteps.requireLegs(v, ref);
        String s = ref.supervisorTag();
        if (!v.has(s) || !SUPERVISOR_LABEL.equals(v.label(s))) {
            throw new MediaFailure("supervisor " + s + " is not prepared in call " + ref.callId(), false, null);
        }
        return v;
    }


    private NgAddress known(String daemon) {
        if (daemon == null) {
            return null;
        }
        try {
            NgAddress a = NgAddress.parse(daemon);
            return ng.client().daemons().contains(a) ? a : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private NgAddress daemonOf(MediaRef ref) {
        return ref.daemon() != null ? NgAddress.parse(ref.daemon()) : locate(ref.callId()).daemon();
    }

    private record Located(NgAddress daemon, CallView view) {
    }

    private Located locate(String callId) {
        Located at = find(callId);
        if (at == null) {
            throw new MediaFailure("call " + callId + " is not known to any rtpengine", true, null);
        }
        return at;
    }

    /** The daemon holding the call and its view, null when none knows it; a daemon that fails is skipped unless all fail. */
    private Located find(String callId) {
        MediaFailure failed = null;
        for (NgAddress d : ng.client().daemons()) {
            try {
                CallView v = ng.queryOrNull(d, callId);
                if (v != null) {
                    return new Located(d, v);
                }
            } catch (MediaFailure f) {
                failed = f;
            }
        }
        if (failed != null) {
            throw failed;
        }
        return null;
    }


    private <T> T locked(String callId, java.util.function.Supplier<T> body) {
        // Two joins on one call must not pick the same idle slot.
        ReentrantLock lock = callLocks[Math.floorMod(callId.hashCode(), callLocks.length)];
        lock.lock();
        try {
            return body.get();
        } catch (MediaFailure f) {
            throw f;
        } catch (RuntimeException e) {
            throw new MediaFailure("media operation on call " + callId + " failed: " + e, false, e);
        } finally {
            lock.unlock();
        }
    }

    static boolean hasTelephoneEvent(String sdp) {
        return sdp != null && TELEPHONE_EVENT.matcher(sdp).find();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MediaFailure("interrupted", false, e);
        }
    }
}
