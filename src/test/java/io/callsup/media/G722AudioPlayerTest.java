package io.callsup.media;

import static io.callsup.testsupport.rtp.TestCall.AGENT_HZ;
import static io.callsup.testsupport.rtp.TestCall.CLIENT_HZ;
import static io.callsup.testsupport.rtp.TestCall.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.callsup.testsupport.rtp.AudioQuality;
import io.callsup.testsupport.rtp.Capture;
import io.callsup.testsupport.rtp.G722;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.Sdp;

/**
 * rtpengine alone, no mixer: a client on G.722 and an agent on PCMU, transcoded by rtpengine, with
 * and without rtpengine's audio player on the G.722 side. Each party's audio is decoded with the
 * codec's real decoder (ffmpeg for G.722) and must carry the other party's tone at least 30 dB above
 * everything else. Unpatched 26.0.1.26 fails the player case: the client hears the agent's 700 Hz
 * as 1400 Hz in 10 ms bursts (rtpengine/README.md, "G.722 and the audio player").
 */
class G722AudioPlayerTest extends MediaTestBase {
    private static final double MIN_SNR_DB = 30;
    /** The level the tone is sent at (RtpEndpoint.AMPLITUDE 6000: -14.7 dBFS) less 3 dB. */
    private static final double MIN_TONE_DBFS = -17.7;
    /** Only G.722's upper band (4-8 kHz) carries it; a multiple of 50 Hz, so the sent stream loops cleanly. */
    private static final double WIDEBAND_HZ = 5000;

    @Test
    void plainTranscodedCallIsClean() throws Exception {
        expectCleanBothWays(false, "PCMU", AGENT_HZ);
    }

    @Test
    void audioPlayerOnTheG722SideIsClean() throws Exception {
        expectCleanBothWays(true, "PCMU", AGENT_HZ);
    }

    /**
     * G.722 on both sides, the agent's tone above 4 kHz: the player keeps G.722 wideband. G.722's
     * upper band is 2-bit ADPCM, so a 5 kHz tone is only about 20 dB above its own coding noise after
     * the player's decode and re-encode; the bar is the same tandem through ffmpeg alone, plus 3 dB.
     */
    @Test
    void audioPlayerKeepsG722Wideband() throws Exception {
        expectCleanBothWays(true, "G722", WIDEBAND_HZ);
    }

    private static short[] decodeG711(List<RtpEndpoint.Rx> rx) {
        short[] out = new short[0];
        for (RtpEndpoint.Rx r : rx) {
            if (r.pt() == 0 || r.pt() == 8) {
                short[] s = Capture.decode(r);
                out = java.util.Arrays.copyOf(out, out.length + s.length);
                System.arraycopy(s, 0, out, out.length - s.length, s.length);
            }
        }
        return out;
    }

    private void expectCleanBothWays(boolean player, String agentCodec, double agentHz) throws Exception {
        String callId = "g722-" + UUID.randomUUID();
        try (RtpEndpoint agent = new RtpEndpoint("agent", agentHz);
                RtpEndpoint client = new RtpEndpoint("client", CLIENT_HZ)) {
            Map<String, Object> offer = new LinkedHashMap<>();
            offer.put("command", "offer");
            offer.put("call-id", callId);
            offer.put("from-tag", "client");
            offer.put("sdp", Sdp.make(client.port(), null, "G722", "telephone-event"));
            if (!"G722".equals(agentCodec)) {
                offer.put("codec", Map.of("transcode", List.of(agentCodec)));
            }
            if (player) {
                // The offerer's media: what rtpengine sends to the client comes from the player.
                offer.put("audio player", "force");
            }
            Sdp toAgent = Sdp.parse((String) await(ng.request(daemon, offer)).get("sdp"));
            agent.connect(toAgent, toAgent.pt(agentCodec));
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("command", "answer");
            answer.put("call-id", callId);
            answer.put("from-tag", "client");
            answer.put("to-tag", "agent");
            answer.put("sdp", Sdp.answer(agent.port(), toAgent, agentCodec));
            Sdp toClient = Sdp.parse((String) await(ng.request(daemon, answer)).get("sdp"));
            assertThat(toClient.pt("G722")).as("client keeps G.722").isEqualTo(G722.PT);
            client.connect(toClient, G722.PT);
            try {
                int mc = client.mark();
                int ma = agent.mark();
                agent.capture(SKIP, 75);
                List<RtpEndpoint.Rx> rx = client.packetsSince(mc);
                List<RtpEndpoint.Rx> rxAgent = agent.packetsSince(ma);
                assertThat(rx).as("client receives G.722 only").isNotEmpty().allMatch(r -> r.pt() == G722.PT);

                short[] clientAudio = G722.decode(rx);
                // 200 ms for the decoder to settle (it starts mid-stream, as a phone's would on a re-INVITE)
                AudioQuality c = AudioQuality.measure(clientAudio, G722.SAMPLE_RATE, SKIP * 20, agentHz, CLIENT_HZ);
                boolean agentG722 = "G722".equals(agentCodec);
                short[] agentAudio = agentG722 ? G722.decode(rxAgent) : decodeG711(rxAgent);
                AudioQuality a = AudioQuality.measure(agentAudio, agentG722 ? G722.SAMPLE_RATE : RtpEndpoint.RATE,
                        SKIP * 20, CLIENT_HZ, agentHz);
                String what = (player ? "with the audio player" : "plain") + ": client (G.722) hears " + c
                        + "; agent (" + agentCodec + ") hears " + a;
                System.out.println(what);
                assertThat(c.blocks()).as(what).isGreaterThanOrEqualTo(10);
                assertThat(c.toneDb().get(agentHz)).as(what).isGreaterThan(MIN_TONE_DBFS);
                if (agentHz > 4000) {
                    byte[] sent = G722.tone(agentHz, RtpEndpoint.AMPLITUDE, 30);
                    short[] tandem = G722.decode(G722.encode(G722.decode(java.util.Arrays.copyOf(sent, 16000 * 3))));
                    AudioQuality ref = AudioQuality.measure(tandem, G722.SAMPLE_RATE, 200, agentHz);
                    assertThat(c.noiseDb()).as(what + "; ffmpeg's own G.722 tandem: " + ref)
                            .isLessThanOrEqualTo(ref.noiseDb() + 3);
                } else {
                    assertThat(c.snr(agentHz)).as(what).isGreaterThanOrEqualTo(MIN_SNR_DB);
                }
                assertThat(a.blocks()).as(what).isGreaterThanOrEqualTo(10);
                assertThat(a.toneDb().get(CLIENT_HZ)).as(what).isGreaterThan(MIN_TONE_DBFS);
                assertThat(a.snr(CLIENT_HZ)).as(what).isGreaterThanOrEqualTo(MIN_SNR_DB);
            } finally {
                Map<String, Object> delete = new LinkedHashMap<>();
                delete.put("command", "delete");
                delete.put("call-id", callId);
                await(ng.request(daemon, delete));
            }
        }
    }
}
