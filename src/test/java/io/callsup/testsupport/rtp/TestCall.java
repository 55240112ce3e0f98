package io.callsup.testsupport.rtp;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.callsup.media.NgAddress;
import io.callsup.media.NgClient;

/** A normal agent/client call anchored in rtpengine the way Kamailio does it (offer from C, answer from A). */
public final class TestCall implements AutoCloseable {
    public static final double AGENT_HZ = 700;
    public static final double CLIENT_HZ = 1100;
    /** The codec option kamailio.cfg's RTPE_LEG_FLAGS gives every offer and answer (codec-set=...). */
    public static final Map<String, Object> KAMAILIO_CODEC = Map.of("set", java.util.List.of("opus/48000/2/64000"));

    public final String callId = "call-" + UUID.randomUUID();
    public final String agentTag = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    public final String clientTag = "client-" + UUID.randomUUID().toString().substring(0, 8);
    public final RtpEndpoint agent;
    public final RtpEndpoint client;

    public TestCall(NgClient ng, NgAddress daemon, String clientCodec) throws Exception {
        this(ng, daemon, clientCodec, null);
    }

    /**
     * As above with the agent answering {@code agentCodec} (PCMU, PCMA or G722; null = the first
     * G.711 codec offered), so both legs can use the same wideband codec.
     */
    public TestCall(NgClient ng, NgAddress daemon, String clientCodec, String agentCodec) throws Exception {
        this(ng, daemon, clientCodec, agentCodec, AGENT_HZ, CLIENT_HZ);
    }

    /** As above with the agent's and the client's tones. */
    public TestCall(NgClient ng, NgAddress daemon, String clientCodec, String agentCodec, double agentHz,
            double clientHz) throws Exception {
        agent = new RtpEndpoint("agent", agentHz);
        client = new RtpEndpoint("client", clientHz);
        Map<String, Object> offer = new LinkedHashMap<>();
        offer.put("command", "offer");
        offer.put("call-id", callId);
        offer.put("from-tag", clientTag);
        offer.put("sdp", Sdp.make(client.port(), null, clientCodec, "telephone-event"));
        offer.put("codec", KAMAILIO_CODEC);
        Sdp toAgent = Sdp.parse((String) await(ng.request(daemon, offer)).get("sdp"));
        String agentUses = agentCodec != null ? agentCodec : toAgent.firstG711() == 8 ? "PCMA" : "PCMU";
        agent.connect(toAgent, toAgent.pt(agentUses));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("command", "answer");
        answer.put("call-id", callId);
        answer.put("from-tag", clientTag);
        answer.put("to-tag", agentTag);
        answer.put("sdp", Sdp.answer(agent.port(), toAgent, agentUses));
        answer.put("codec", KAMAILIO_CODEC);
        Sdp toClient = Sdp.parse((String) await(ng.request(daemon, answer)).get("sdp"));
        client.connect(toClient, toClient.pt(clientCodec));
        // A live call, as a supervisor finds it: rtpengine reports a stream's codec only once media flowed.
        agent.capture(0, 2);
        client.capture(0, 2);
    }

    public static <T> T await(io.vertx.core.Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(Duration.ofSeconds(10).toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        agent.close();
        client.close();
    }
}
