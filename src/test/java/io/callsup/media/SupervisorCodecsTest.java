package io.callsup.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.callsup.media.SdpCodecs.Codec;

/** The supervisor-leg codec policy and the SDP cutting it relies on. Pure. */
class SupervisorCodecsTest {
    private static final Codec G722 = Codec.fromQuery("G722/8000");
    private static final Codec OPUS = Codec.fromQuery("opus/48000/2");
    private static final Codec PCMU = Codec.fromQuery("PCMU/8000");
    private static final Codec PCMA = Codec.fromQuery("PCMA/8000");

    private static final String PHONE = "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/AVP 18 9 0 8 111 101\r\n"
            + "a=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n"
            + "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1\r\na=rtcp-fb:111 transport-cc\r\n"
            + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n";

    private static List<String> names(List<Codec> cs) {
        return cs.stream().map(Codec::name).toList();
    }

    @Test
    void readsStaticAndMappedPayloadTypesInOfferOrder() {
        List<Codec> cs = SdpCodecs.audio(PHONE);
        assertThat(names(cs)).containsExactly("G729", "G722", "PCMU", "PCMA", "opus", "telephone-event");
        assertThat(cs.get(4)).isEqualTo(new Codec(111, "opus", 48000, 2));
        assertThat(SdpCodecs.audio("v=0\r\nm=video 5 RTP/AVP 96\r\n")).isEmpty();
        assertThat(SdpCodecs.audio(null)).isEmpty();
    }

    @Test
    void wideCallGetsTheCallsWidebandCodecFirstThenThePhonesOrder() {
        List<Codec> offered = SdpCodecs.audio(PHONE);
        assertThat(SupervisorCodecs.choose(List.of(G722, G722), offered)).map(Codec::name).hasValue("G722");
        assertThat(SupervisorCodecs.choose(List.of(OPUS, PCMU), offered)).map(Codec::name).hasValue("opus");
        // a wideband call whose codec the phone lacks: still wideband, in the phone's order
        assertThat(SupervisorCodecs.choose(List.of(OPUS), SdpCodecs.audio(PHONE.replace(" 111 ", " ")
                .replace("a=rtpmap:111 opus/48000/2\r\n", "")))).map(Codec::name).hasValue("G722");
    }

    @Test
    void narrowCallGetsG711AndTheCallsOwnFirst() {
        List<Codec> offered = SdpCodecs.audio(PHONE);
        assertThat(SupervisorCodecs.choose(List.of(PCMU, PCMU), offered)).map(Codec::name).hasValue("PCMU");
        assertThat(SupervisorCodecs.choose(List.of(PCMA, PCMA), offered)).map(Codec::name).hasValue("PCMA");
        // no G.711 offered: wideband rather than nothing
        List<Codec> wideOnly = List.of(new Codec(9, "G722", 8000, 1), new Codec(101, "telephone-event", 8000, 1));
        assertThat(SupervisorCodecs.choose(List.of(PCMU), wideOnly)).map(Codec::name).hasValue("G722");
        // unknown call codec (no media yet): the phone's order among the mixable ones
        assertThat(SupervisorCodecs.choose(List.of(), offered)).map(Codec::name).hasValue("G722");
    }

    @Test
    void nothingMixableIsRefusedAndOddClockRatesAreNotMixable() {
        List<Codec> g729 = List.of(new Codec(18, "G729", 8000, 1), new Codec(3, "GSM", 8000, 1),
                new Codec(101, "telephone-event", 8000, 1));
        assertThat(SupervisorCodecs.choose(List.of(G722), g729)).isEmpty();
        assertThat(SupervisorCodecs.choose(List.of(PCMU), List.of(new Codec(96, "PCMU", 16000, 1)))).isEmpty();
        assertThat(SupervisorCodecs.choose(List.of(PCMU), List.of(new Codec(96, "opus", 16000, 1)))).isEmpty();
        assertThat(SupervisorCodecs.choose(List.of(PCMU), List.of())).isEmpty();
    }

    @Test
    void restrictKeepsOnlyTheChosenCodecAndTelephoneEvent() {
        Codec chosen = SupervisorCodecs.choose(List.of(OPUS), SdpCodecs.audio(PHONE)).orElseThrow();
        String cut = SdpCodecs.restrict(PHONE, SupervisorCodecs.keep(chosen, SdpCodecs.audio(PHONE)));
        assertThat(cut).contains("m=audio 4000 RTP/AVP 111 101\r\n", "a=rtpmap:111 opus/48000/2",
                "a=fmtp:111 useinbandfec=1", "a=rtcp-fb:111 transport-cc", "a=rtpmap:101 telephone-event/8000",
                "a=sendrecv", "c=IN IP4 10.0.0.5").doesNotContain("G729", "annexb");
        assertThat(names(SdpCodecs.audio(cut))).containsExactly("opus", "telephone-event");
        assertThatThrownBy(() -> SdpCodecs.restrict("v=0\r\n", Set.of(0))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void restrictLeavesOtherStreamsAlone() {
        String two = PHONE + "m=video 4002 RTP/AVP 96 18\r\na=rtpmap:96 H264/90000\r\na=fmtp:18 x\r\n";
        String cut = SdpCodecs.restrict(two, Set.of(0));
        assertThat(cut).contains("m=audio 4000 RTP/AVP 0\r\n", "m=video 4002 RTP/AVP 96 18\r\n", "a=fmtp:18 x")
                .doesNotContain("annexb");
    }

    @Test
    void offerOrderFollowsTheCall() {
        assertThat(SupervisorCodecs.offerOrder(List.of(G722))).containsExactly("G722", "opus", "PCMU", "PCMA");
        assertThat(SupervisorCodecs.offerOrder(List.of(OPUS, PCMA))).containsExactly("opus", "G722", "PCMA", "PCMU");
        assertThat(SupervisorCodecs.offerOrder(List.of(PCMA))).containsExactly("PCMA", "PCMU", "G722", "opus");
        assertThat(SupervisorCodecs.offerOrder(List.of())).containsExactly("G722", "opus", "PCMU", "PCMA");
    }

    @Test
    void placeholderOfferFollowsTheOrder() {
        String sdp = Placeholder.offer(new NgAddress("127.0.0.1", 9), List.of("opus", "G722", "PCMU", "PCMA"));
        assertThat(names(SdpCodecs.audio(sdp))).containsExactly("opus", "G722", "PCMU", "PCMA", "telephone-event");
        assertThatThrownBy(() -> Placeholder.offer(new NgAddress("127.0.0.1", 9), List.of("G729")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
