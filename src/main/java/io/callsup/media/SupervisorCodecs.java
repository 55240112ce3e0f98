package io.callsup.media;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.callsup.media.SdpCodecs.Codec;
import io.callsup.supervision.port.MediaMixer;

/**
 * Which codec a supervisor's leg uses. Pure policy (README, "Codecs"):
 * <ul>
 * <li>only codecs the mixer was measured to produce cleanly (the codec matrix tests): G.722,
 * Opus, PCMU, PCMA; anything else a phone offers (G.729, GSM, iLBC, ...) is never picked;</li>
 * <li>a wideband call (either party on G.722 or Opus) gets a wideband supervisor leg when the phone
 * can do one, else G.711; a narrowband call gets G.711 when the phone can (a wideband leg would
 * cost an encoder and carry nothing more), else wideband;</li>
 * <li>within a class the call's own codec first (one codec fewer in the mix), then the phone's
 * order;</li>
 * <li>a call whose codecs rtpengine does not report yet (its {@code query} names a stream's codec
 * only once media has flowed) gives no class preference: the phone's order among the mixable
 * codecs, and G.722 first on an offer.</li>
 * </ul>
 */
final class SupervisorCodecs {
    private static final List<String> MIXABLE = List.of("G722", "opus", "PCMU", "PCMA");

    private SupervisorCodecs() {
    }

    static boolean mixable(Codec c) {
        return MIXABLE.stream().anyMatch(c::is) && (!c.is("G722") || c.clockRate() == 8000)
                && (!c.is("opus") || c.clockRate() == 48000) && (!c.is("PCMU") && !c.is("PCMA") || c.clockRate() == 8000);
    }

    static boolean wideband(Codec c) {
        return c.is("G722") || c.is("opus");
    }

    /** True when any leg of the call is on a wideband codec. */
    static boolean widebandCall(Collection<Codec> callCodecs) {
        return callCodecs.stream().anyMatch(SupervisorCodecs::wideband);
    }

    /** The codec for a phone that offered {@code offered}, empty when it offered nothing mixable. */
    static Optional<Codec> choose(Collection<Codec> callCodecs, List<Codec> offered) {
        boolean wide = widebandCall(callCodecs);
        boolean known = !callCodecs.isEmpty();
        return offered.stream().filter(SupervisorCodecs::mixable)
                .min(Comparator.comparingInt((Codec c) -> !known || wideband(c) == wide ? 0 : 1)
                        .thenComparingInt(c -> callCodecs.stream().anyMatch(k -> k.is(c.name())) ? 0 : 1)
                        .thenComparingInt(offered::indexOf));
    }

    /** The payload types to keep in the leg's SDP: the chosen codec and every telephone-event. */
    static Set<Integer> keep(Codec chosen, List<Codec> offered) {
        Set<Integer> keep = new LinkedHashSet<>();
        keep.add(chosen.pt());
        offered.stream().filter(Codec::telephoneEvent).forEach(c -> keep.add(c.pt()));
        return keep;
    }

    /** Encoding names for a phone rung by the service, most preferred first, by the same rules. */
    static List<String> offerOrder(Collection<Codec> callCodecs) {
        boolean wide = widebandCall(callCodecs) || callCodecs.isEmpty();
        List<String> order = new ArrayList<>(MIXABLE);
        order.sort(Comparator.comparingInt((String n) -> wide == wideband(Codec.fromQuery(n)) ? 0 : 1)
                .thenComparingInt(n -> callCodecs.stream().anyMatch(k -> k.is(n)) ? 0 : 1)
                .thenComparingInt(MIXABLE::indexOf));
        return order;
    }

    /** rtpengine's offer towards the placeholder cut to the chosen codec and telephone-event. */
    static String cutTo(String toPh, Codec chosen) {
        List<Codec> there = SdpCodecs.audio(toPh);
        Codec same = there.stream().filter(k -> k.is(chosen.name()) && k.clockRate() == chosen.clockRate())
                .findFirst().orElseThrow(() -> new MediaMixer.MediaFailure("rtpengine's offer lost the supervisor's "
                        + chosen.name() + " (it has " + there.stream().map(Codec::name).toList() + ")", false,
                        null));
        return SdpCodecs.restrict(toPh, keep(same, there));
    }
}
