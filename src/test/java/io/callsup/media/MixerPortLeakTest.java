package io.callsup.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.callsup.model.SupervisionMode;
import io.callsup.supervision.port.MediaMixer.MediaFailure;
import io.callsup.supervision.port.MediaMixer.MediaRef;
import io.callsup.supervision.port.MediaMixer.Prepared;
import io.callsup.testsupport.BinScript;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.Sdp;
import io.callsup.testsupport.rtp.TestCall;
import io.callsup.testsupport.rtp.ToneMatrix;
import io.vertx.core.Vertx;

/**
 * Issue 12's soak: rtpengine answered "Ran out of ports" after 424 re-joins on 25 calls. A private
 * daemon with a 100-port media range (28000-28099) makes a leak visible in a few cycles: the
 * daemon's bound UDP sockets in that range are counted ({@code ss}) after every join/leave cycle
 * of one call.
 */
class MixerPortLeakTest {
    private static final int NG_PORT = 22320;
    private static final int MEDIA_MIN = 28000;
    private static final int MEDIA_MAX = 28099;
    private static final Path RUN_DIR = Path.of("target", "rtpengine-ports").toAbsolutePath();
    private static final Map<String, String> ENV = Map.of(
            "RTPENGINE_NG_PORT", Integer.toString(NG_PORT),
            "RTPENGINE_PORT_MIN", Integer.toString(MEDIA_MIN),
            "RTPENGINE_PORT_MAX", Integer.toString(MEDIA_MAX),
            "RTPENGINE_DTMF_LOG_DEST", "127.0.0.1:" + (NG_PORT + 1),
            "RTPENGINE_RUN_DIR", RUN_DIR.toString());

    static Vertx vertx;
    static NgClient ng;
    static NgAddress daemon = new NgAddress("127.0.0.1", NG_PORT);
    static RtpEndpoint placeholderSocket;
    static RtpengineMixer mixer;

    @BeforeAll
    static void start() throws Exception {
        BinScript.run("rtpengine-daemon", "stop", ENV, RUN_DIR);
        BinScript.run("rtpengine-daemon", "start", ENV, RUN_DIR);
        vertx = Vertx.vertx();
        ng = new NgClient(vertx, List.of(daemon), Duration.ofMillis(500), 2);
        placeholderSocket = new RtpEndpoint("placeholder", 0);
        mixer = new RtpengineMixer(ng, Duration.ofSeconds(2), Duration.ZERO,
                new NgAddress("127.0.0.1", placeholderSocket.port()), 1000);
    }

    @AfterAll
    static void stop() throws Exception {
        placeholderSocket.close();
        ng.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        BinScript.run("rtpengine-daemon", "stop", ENV, RUN_DIR);
    }

    /** UDP sockets bound in the daemon's media range (only the daemon binds there). */
    static int mediaPortsInUse() throws Exception {
        Process p = new ProcessBuilder("ss", "-H", "-uan", "( sport >= :" + MEDIA_MIN + " and sport <= :"
                + MEDIA_MAX + " )").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return (int) out.lines().filter(l -> !l.isBlank()).count();
    }

    static MediaRef ref(TestCall c) {
        return new MediaRef(c.callId, null, c.agentTag, c.clientTag, "sup-" + UUID.randomUUID().toString().substring(0, 8));
    }

    static void joinAndLeave(TestCall c, int i) throws Exception {
        try (RtpEndpoint ep = new RtpEndpoint("sup", 1700)) {
            MediaRef r;
            if (i % 4 == 3) {
                Prepared p = mixer.prepareOrigination(ref(c));
                Sdp offer = Sdp.parse(p.sdp());
                mixer.completeOrigination(p.ref(), Sdp.answer(ep.port(), offer, "PCMU"));
                r = p.ref();
            } else {
                Prepared p = mixer.prepareDialIn(ref(c), Sdp.make(ep.port(), "0", "PCMU", "telephone-event"));
                r = p.ref();
            }
            mixer.activate(r, SupervisionMode.values()[i % 3]);
            mixer.remove(r);
        }
    }

    @Test
    void reJoinsKeepTheDaemonsPortsFlat() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU")) {
            int callOnly = mediaPortsInUse();
            List<Integer> perCycle = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                joinAndLeave(c, i);
                perCycle.add(mediaPortsInUse());
            }
            System.out.println("MixerPortLeakTest: call alone " + callOnly + " ports, after each join/leave " + perCycle);
            assertThat(perCycle.get(0)).as("one slot takes ports").isGreaterThan(callOnly);
            assertThat(perCycle.get(perCycle.size() - 1)).as("ports after 20 cycles vs after 1: " + perCycle)
                    .isBetween(perCycle.get(0) - 2, perCycle.get(0) + 2);
            mixer.callEnded(c.callId);
        }
    }

    static long freePorts() throws Exception {
        return PortHeadroom.free(TestCall.await(ng.request(daemon, Map.of("command", "statistics"))));
    }

    /** rtpengine's error reason for the offer, null if it succeeded. */
    static String rawOfferError(TestCall c, String fromTag, int port) throws Exception {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("command", "offer");
        o.put("call-id", c.callId);
        o.put("from-tag", fromTag);
        o.put("sdp", Sdp.make(port, null, "PCMU"));
        try {
            TestCall.await(ng.request(daemon, o));
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return String.valueOf(e.getCause());
        }
    }

    static boolean known(TestCall c) throws Exception {
        try {
            TestCall.await(ng.request(daemon, Map.of("command", "query", "call-id", c.callId)));
            return true;
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(RtpengineErrorException.class);
            assertThat(((RtpengineErrorException) e.getCause()).isUnknownCall()).as(e.getCause().toString()).isTrue();
            return false;
        }
    }

    /**
     * With the media range full, a join must fail without touching the call. rtpengine itself ends
     * the whole call when an offer finds no ports (shown here on a sacrificial call), so the mixer
     * must not send that offer at all (PortHeadroom).
     */
    @Test
    void joinOnAFullRangeIsRefusedAndTheCallGoesOn() throws Exception {
        List<TestCall> fillers = new ArrayList<>();
        try (TestCall c = new TestCall(ng, daemon, "PCMU")) {
            // Until rtpengine refuses one (that call is gone, its ports back): the range is then full.
            String refused = null;
            while (refused == null && fillers.size() < 40) {
                try {
                    fillers.add(new TestCall(ng, daemon, "PCMU"));
                } catch (java.util.concurrent.ExecutionException e) {
                    refused = String.valueOf(e.getCause());
                }
            }
            assertThat(refused).as("a filler call refused within 40").contains("Ran out of ports");
            long free = freePorts();
            System.out.println("MixerPortLeakTest: " + (fillers.size() + 1) + " calls, " + free + " ports free");
            TestCall victim = fillers.get(0);
            try (RtpEndpoint ep = new RtpEndpoint("raw", 0)) {
                assertThat(rawOfferError(victim, "raw-" + UUID.randomUUID(), ep.port()))
                        .as("rtpengine's answer to an offer without ports").contains("Ran out of ports");
            }
            assertThat(known(victim)).as("rtpengine ended the whole call on 'Ran out of ports'").isFalse();

            for (int i = 0; i < 2; i++) {
                try (RtpEndpoint ep = new RtpEndpoint("sup", 1700)) {
                    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> mixer.prepareDialIn(ref(c),
                            Sdp.make(ep.port(), "0", "PCMU", "telephone-event")));
                    assertThat(t).as("join with %d ports free", free).isInstanceOf(MediaFailure.class)
                            .hasMessageContaining("free media ports");
                }
                try (RtpEndpoint ep = new RtpEndpoint("sup", 1700)) {
                    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> mixer.prepareOrigination(ref(c))))
                            .isInstanceOf(MediaFailure.class).hasMessageContaining("free media ports");
                }
            }
            assertThat(known(c)).as("the agent's call after refused joins").isTrue();
            assertThat(view(c).tags()).containsExactlyInAnyOrder(c.agentTag, c.clientTag);
            ToneMatrix.expectRow("agent and client after refused joins", Map.of(
                    c.agent, new double[] {c.client.toneHz()}, c.client, new double[] {c.agent.toneHz()}));
            mixer.callEnded(c.callId);
        } finally {
            for (TestCall f : fillers) {
                mixer.callEnded(f.callId);
                f.close();
            }
        }
    }

    static CallView view(TestCall c) throws Exception {
        return CallView.parse(TestCall.await(ng.request(daemon, Map.of("command", "query", "call-id", c.callId))));
    }
}
