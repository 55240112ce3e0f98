package io.callsup.media;

import static io.callsup.model.SupervisionMode.BARGE;
import static io.callsup.model.SupervisionMode.SPY;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

import io.callsup.model.SupervisionMode;
import io.callsup.supervision.port.MediaMixer.MediaRef;
import io.callsup.supervision.port.MediaMixer.Prepared;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.RtpengineDaemon;
import io.callsup.testsupport.rtp.Sdp;
import io.callsup.testsupport.rtp.TestCall;
import io.callsup.testsupport.rtp.ToneMatrix;
import io.vertx.core.Vertx;

/**
 * Shared set-up for tests against the real daemon: one daemon per run, an ng client, the
 * {@link RtpengineMixer} (as configured: 50 ms audible-after-digit delay) and the DTMF log. The
 * placeholder party's SDP names a socket the test owns, so "nothing is sent to the placeholder" is
 * observed, not assumed.
 */
@ExtendWith(RtpengineDaemon.class)
abstract class MediaTestBase {
    static final double SUP1_HZ = 1700;
    static final double SUP2_HZ = 2300;
    static final double SUP3_HZ = 2900;
    static final Duration WAIT = Duration.ofSeconds(10);
    /** The product's default {@code audible-after-digit-delay}. */
    static final Duration DELAY = Duration.ZERO;
    static final int SKIP = ToneMatrix.SKIP;
    static final int COUNT = ToneMatrix.COUNT;

    static Vertx vertx;
    static NgAddress daemon = NgAddress.parse(RtpengineDaemon.NG_ADDRESS);
    static NgClient ng;
    static DtmfListener dtmf;
    static final LinkedBlockingQueue<DtmfEvent> digits = new LinkedBlockingQueue<>();
    static RtpEndpoint placeholderSocket;
    static RtpengineMixer mixer;

    @BeforeAll
    static void setUpClient() throws Exception {
        vertx = Vertx.vertx();
        ng = new NgClient(vertx, List.of(daemon), Duration.ofMillis(500), 2);
        restartIfAborted();
        dtmf = new DtmfListener(vertx, "127.0.0.1", RtpengineDaemon.DTMF_LOG_PORT,
                DtmfSources.of(java.util.List.of("127.0.0.1")), (reason, sender) -> { }, digits::add);
        dtmf.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        placeholderSocket = new RtpEndpoint("placeholder", 0); // never connected: only listens
        mixer = mixer(ng, DELAY);
    }

    /**
     * rtpengine 26.0.1.26 sometimes aborts while mixing (mix_buffer.c:83, design/rtpengine.md), more
     * often on a loaded host. The daemon is shared by the run: restart it here so that one abort
     * fails one test class, not every class after it. The abort is in the daemon's log.
     */
    static void restartIfAborted() {
        if (!mixer(ng, Duration.ZERO, new NgAddress("127.0.0.1", 9)).alive(daemon.toString())) {
            System.out.println("rtpengine at " + daemon + " is not answering (aborted?); restarting it");
            RtpengineDaemon.run("start");
        }
    }

    @AfterAll
    static void tearDownClient() throws Exception {
        placeholderSocket.close();
        dtmf.close();
        ng.close();
        // Waited for: the DTMF log port is fixed, and the next class binds it at once (an unawaited
        // close failed MixerCodecMatrixTest's set-up with "Address already in use").
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A mixer as production builds it, on {@code client}, with the given audible-after-digit delay. */
    static RtpengineMixer mixer(NgClient client, Duration audibleAfterDigitDelay) {
        return mixer(client, audibleAfterDigitDelay, new NgAddress("127.0.0.1", placeholderSocket.port()));
    }

    static RtpengineMixer mixer(NgClient client, Duration audibleAfterDigitDelay, NgAddress placeholder) {
        return new RtpengineMixer(client, Duration.ofSeconds(2), audibleAfterDigitDelay, placeholder, 1000);
    }

    /** A supervisor's phone: its endpoint, where the mixer put it, and the SDP the phone was given. */
    record Phone(RtpEndpoint ep, MediaRef ref, String sdp) implements AutoCloseable {
        String tag() {
            return ref.supervisorTag();
        }

        @Override
        public void close() {
            ep.close();
        }
    }

    static String newTag(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static MediaRef ref(TestCall c, String supTag) {
        return new MediaRef(c.callId, null, c.agentTag, c.clientTag, supTag);
    }

    static boolean hasTelephoneEvent(String sdp) {
        return Sdp.parse(sdp).pt("telephone-event") >= 0;
    }

    /** The phone dials in with its own offer ({@code codec} + telephone-event); prepared, no flows yet. */
    static Phone dialIn(TestCall c, double hz, String codec) throws Exception {
        return dialIn(mixer, c, hz, codec);
    }

    static Phone dialIn(RtpengineMixer m, TestCall c, double hz, String codec) throws Exception {
        RtpEndpoint ep = new RtpEndpoint("sup" + (int) hz, hz);
        Prepared p = m.prepareDialIn(ref(c, newTag("sup")), Sdp.make(ep.port(), "0", codec, "telephone-event"));
        assertThat(hasTelephoneEvent(p.sdp())).as("answer keeps telephone-event: " + p.sdp()).isTrue();
        Sdp answer = Sdp.parse(p.sdp());
        ep.connect(answer, answer.pt(codec));
        return new Phone(ep, p.ref(), p.sdp());
    }

    /** Application path: rtpengine makes the offer, the phone answers with {@code codec}; no flows yet. */
    static Phone originate(TestCall c, double hz, String codec) throws Exception {
        RtpEndpoint ep = new RtpEndpoint("sup" + (int) hz, hz);
        Prepared p = mixer.prepareOrigination(ref(c, newTag("sup")));
        Sdp offer = Sdp.parse(p.sdp());
        assertThat(offer.pt("telephone-event")).as(p.sdp()).isPositive();
        mixer.completeOrigination(p.ref(), Sdp.answer(ep.port(), offer, codec));
        ep.connect(offer, offer.pt(codec));
        return new Phone(ep, p.ref(), p.sdp());
    }

    static Phone dialIn(TestCall c, double hz, String codec, SupervisionMode mode) throws Exception {
        Phone p = dialIn(c, hz, codec);
        mixer.activate(p.ref(), mode);
        return p;
    }

    static Phone originate(TestCall c, double hz, String codec, SupervisionMode mode) throws Exception {
        Phone p = originate(c, hz, codec);
        mixer.activate(p.ref(), mode);
        return p;
    }

    /**
     * The tone-matrix row for the call with these supervisors: {@code phone, mode, phone, mode...};
     * mode null = the phone is not (or no longer) active and hears nothing. The agent hears C plus
     * every whispering or barging supervisor, the client A plus every barging one, and every active
     * supervisor A+C plus every other whispering or barging supervisor (README, "Several
     * supervisors": a supervisor hears whoever the agent or the client hears), never a spying one.
     */
    static Map<RtpEndpoint, double[]> row(TestCall c, Object... phoneModes) {
        double agentHz = c.agent.toneHz();
        double clientHz = c.client.toneHz();
        List<Double> agent = new ArrayList<>(List.of(clientHz));
        List<Double> client = new ArrayList<>(List.of(agentHz));
        Map<RtpEndpoint, double[]> sups = new LinkedHashMap<>();
        for (int i = 0; i < phoneModes.length; i += 2) {
            Phone p = (Phone) phoneModes[i];
            SupervisionMode m = (SupervisionMode) phoneModes[i + 1];
            if (m != null && m != SPY) {
                agent.add(p.ep().toneHz());
            }
            if (m == BARGE) {
                client.add(p.ep().toneHz());
            }
        }
        for (int i = 0; i < phoneModes.length; i += 2) {
            Phone p = (Phone) phoneModes[i];
            if (phoneModes[i + 1] == null) {
                sups.put(p.ep(), hz());
                continue;
            }
            List<Double> hears = new ArrayList<>(List.of(agentHz, clientHz));
            for (int j = 0; j < phoneModes.length; j += 2) {
                SupervisionMode other = (SupervisionMode) phoneModes[j + 1];
                if (j != i && other != null && other != SPY) {
                    hears.add(((Phone) phoneModes[j]).ep().toneHz());
                }
            }
            sups.put(p.ep(), hears.stream().mapToDouble(Double::doubleValue).toArray());
        }
        Map<RtpEndpoint, double[]> out = new LinkedHashMap<>();
        out.put(c.agent, agent.stream().mapToDouble(Double::doubleValue).toArray());
        out.put(c.client, client.stream().mapToDouble(Double::doubleValue).toArray());
        out.putAll(sups);
        return out;
    }

    /** One row of the tone matrix holds, and over the same time the placeholder's address got no packet. */
    static void expectRow(String state, TestCall c, Object... phoneModes) throws InterruptedException {
        int mark = placeholderSocket.mark();
        ToneMatrix.expectRow(state, row(c, phoneModes));
        assertThat(placeholderSocket.packetsSince(mark)).as(state + ": packets sent to the placeholder").isEmpty();
    }

    /** As {@link #expectRow} and every heard tone at least {@code minSnrDb} above the rest of what is heard. */
    static void expectCleanRow(String state, double minSnrDb, TestCall c, Object... phoneModes)
            throws InterruptedException {
        int mark = placeholderSocket.mark();
        ToneMatrix.expectRow(state, row(c, phoneModes), minSnrDb);
        assertThat(placeholderSocket.packetsSince(mark)).as(state + ": packets sent to the placeholder").isEmpty();
    }

    static double[] hz(double... h) {
        return h;
    }

    /** The next DTMF-log event from {@code tag}, null after {@link #WAIT}. */
    static DtmfEvent digitFrom(String tag) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            DtmfEvent e = digits.poll(200, TimeUnit.MILLISECONDS);
            if (e != null && e.sourceTag().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    static void awaitDigitSent(RtpEndpoint ep) throws InterruptedException {
        while (ep.digitPending()) {
            Thread.sleep(20);
        }
    }

    static void pressAndExpectLogged(Phone s, char key) throws Exception {
        digits.clear();
        s.ep().sendDigit(key, 200);
        DtmfEvent e = digitFrom(s.tag());
        assertThat(e).as("digit %s from %s in the DTMF log", key, s.tag()).isNotNull();
        assertThat(e.digit()).isEqualTo(key);
        awaitDigitSent(s.ep());
    }

    /** rtpengine's current view of the call. */
    static CallView view(String callId) throws Exception {
        return CallView.parse(queryRaw(callId));
    }

    static Map<String, Object> queryRaw(String callId) throws Exception {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("command", "query");
        q.put("call-id", callId);
        return TestCall.await(ng.request(daemon, q));
    }
}
