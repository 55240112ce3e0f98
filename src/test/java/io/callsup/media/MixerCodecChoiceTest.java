package io.callsup.media;

import static io.callsup.model.SupervisionMode.SPY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.callsup.supervision.port.MediaMixer;
import io.callsup.supervision.port.MediaMixer.Prepared;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.Sdp;
import io.callsup.testsupport.rtp.TestCall;

/**
 * The supervisor's codec is chosen, not inherited (README, "Codecs"), against the real daemon: a
 * wideband call gets a wideband supervisor leg, a narrowband call a G.711 one, a codec the mixer
 * was never measured with is never picked, and a phone with nothing usable is refused before the
 * call is touched. The chosen leg is then heard by tone.
 */
class MixerCodecChoiceTest extends MediaTestBase {

    private static Prepared dialInOffering(TestCall c, RtpEndpoint ep, String... codecs) {
        return mixer.prepareDialIn(ref(c, newTag("sup")), Sdp.make(ep.port(), "0", codecs));
    }

    private static java.util.List<String> answered(Prepared p) {
        Sdp a = Sdp.parse(p.sdp());
        return a.payloadTypes().stream().map(pt -> a.rtpmap().getOrDefault(pt, "pt" + pt).split("/")[0]).toList();
    }

    @Test
    void wideCallPicksG722OverTheG729AndG711ThePhoneListsFirst() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "G722", "G722");
                RtpEndpoint ep = new RtpEndpoint("sup", SUP1_HZ)) {
            Prepared p = dialInOffering(c, ep, "G729", "PCMU", "G722", "telephone-event");
            assertThat(answered(p)).as(p.sdp()).containsExactly("G722", "telephone-event");
            Sdp a = Sdp.parse(p.sdp());
            ep.connect(a, a.pt("G722"));
            Phone s = new Phone(ep, p.ref(), p.sdp());
            mixer.activate(s.ref(), SPY);
            expectCleanRow("G.722 supervisor spies", 30, c, s, SPY);
            mixer.remove(s.ref());
        }
    }

    @Test
    void narrowCallPicksTheCallsG711OverG722() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMA", "PCMA");
                RtpEndpoint ep = new RtpEndpoint("sup", SUP1_HZ)) {
            Prepared p = dialInOffering(c, ep, "G722", "PCMU", "PCMA", "telephone-event");
            assertThat(answered(p)).as(p.sdp()).containsExactly("PCMA", "telephone-event");
            Sdp a = Sdp.parse(p.sdp());
            ep.connect(a, a.pt("PCMA"));
            Phone s = new Phone(ep, p.ref(), p.sdp());
            mixer.activate(s.ref(), SPY);
            expectRow("PCMA supervisor spies", c, s, SPY);
            mixer.remove(s.ref());
        }
    }

    @Test
    void nothingMixableIsRefusedAndTheCallIsUntouched() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "G722", "G722");
                RtpEndpoint ep = new RtpEndpoint("sup", SUP1_HZ)) {
            Map<String, Object> before = TestCall.await(ng.request(daemon, SyncNg.cmd("query", c.callId)));
            assertThatThrownBy(() -> dialInOffering(c, ep, "G729", "GSM", "telephone-event"))
                    .isInstanceOf(MediaMixer.NoCommonCodec.class).hasMessageContaining("G729");
            Map<String, Object> after = TestCall.await(ng.request(daemon, SyncNg.cmd("query", c.callId)));
            assertThat(((Map<?, ?>) after.get("tags")).keySet()).isEqualTo(((Map<?, ?>) before.get("tags")).keySet());
            expectRow("call still whole", c);
        }
    }

    @Test
    void originationOffersFollowTheCall() throws Exception {
        try (TestCall wide = new TestCall(ng, daemon, "G722", "G722"); TestCall narrow = new TestCall(ng, daemon, "PCMA")) {
            Prepared w = mixer.prepareOrigination(ref(wide, newTag("sup")));
            Prepared n = mixer.prepareOrigination(ref(narrow, newTag("sup")));
            assertThat(answered(w)).as(w.sdp()).startsWith("G722", "opus");
            assertThat(answered(n)).as(n.sdp()).startsWith("PCMA", "PCMU");
            mixer.remove(w.ref());
            mixer.remove(n.ref());
        }
    }

    /** Application path, Opus call: the phone takes the Opus rtpengine offers first and hears by tone. */
    @Test
    void originatedOpusSupervisorOnAnOpusCall() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "OPUS", "OPUS"); Phone s = originate(c, SUP1_HZ, "OPUS")) {
            assertThat(answered(new Prepared(s.ref(), s.sdp()))).as(s.sdp()).startsWith("opus", "G722");
            mixer.activate(s.ref(), SPY);
            expectRow("Opus supervisor spies", c, s, SPY);
            mixer.switchMode(s.ref(), SPY, io.callsup.model.SupervisionMode.BARGE, false);
            expectRow("Opus supervisor barges", c, s, io.callsup.model.SupervisionMode.BARGE);
            mixer.remove(s.ref());
            expectRow("Opus supervisor left", c, s, null);
        }
    }
}
