package io.callsup.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
import io.callsup.testsupport.rtp.Capture;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.RtpengineDaemon;
import io.callsup.testsupport.rtp.Sdp;
import io.callsup.testsupport.rtp.TestCall;
import io.callsup.testsupport.rtp.ToneMatrix;
import io.vertx.core.Vertx;

/** Shared set-up for tests against the real daemon: one daemon per run, a client, the plan, the DTMF log. */
@ExtendWith(RtpengineDaemon.class)
abstract class MediaTestBase {
    static final double SUP1_HZ = 1700;
    static final double SUP2_HZ = 2300;
    static final Duration WAIT = Duration.ofSeconds(10);
    static final int SKIP = ToneMatrix.SKIP;
    static final int COUNT = ToneMatrix.COUNT;

    static Vertx vertx;
    static NgAddress daemon = NgAddress.parse(RtpengineDaemon.NG_ADDRESS);
    static NgClient ng;
    static MediaPlan plan;
    static DtmfListener dtmf;
    static final LinkedBlockingQueue<DtmfEvent> digits = new LinkedBlockingQueue<>();

    @BeforeAll
    static void setUpClient() throws Exception {
        vertx = Vertx.vertx();
        ng = new NgClient(vertx, List.of(daemon), Duration.ofMillis(500), 2);
        plan = new MediaPlan(ng, vertx, Duration.ofMillis(50));
        dtmf = new DtmfListener(vertx, "127.0.0.1", RtpengineDaemon.DTMF_LOG_PORT, digits::add);
        dtmf.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterAll
    static void tearDownClient() {
        dtmf.close();
        ng.close();
        vertx.close();
    }

    /** A supervisor phone and its current media session. */
    static final class Sup implements AutoCloseable {
        final RtpEndpoint ep;
        MediaSession session;
        String answerSdp;

        Sup(RtpEndpoint ep) {
            this.ep = ep;
        }

        String tag() {
            return session.supervisorTag();
        }

        @Override
        public void close() {
            ep.close();
        }
    }

    static String newTag(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Supervisor phone dials in with its own offer ({@code codec} + telephone-event). */
    static Sup dialIn(TestCall call, double hz, String codec, SupervisionMode mode) throws Exception {
        Sup s = new Sup(new RtpEndpoint("sup" + (int) hz, hz));
        String offer = Sdp.make(s.ep.port(), "0", codec, "telephone-event");
        MediaJoin j = plan.join(call.callId, call.agentTag, call.clientTag, newTag("sup"), offer, mode)
                .await().atMost(WAIT);
        s.session = j.session();
        s.answerSdp = j.sdpAnswer();
        Sdp answer = Sdp.parse(j.sdpAnswer());
        s.ep.connect(answer, answer.pt(codec));
        return s;
    }

    /** Application API path: rtpengine makes the offer, the phone answers with {@code codec}. */
    static Sup originate(TestCall call, double hz, String codec, SupervisionMode mode) throws Exception {
        Sup s = new Sup(new RtpEndpoint("sup" + (int) hz, hz));
        PreparedOffer p = plan.prepareOffer(call.callId, call.agentTag, call.clientTag, newTag("sup"))
                .await().atMost(WAIT);
        Sdp offer = Sdp.parse(p.sdpOffer());
        String answer = Sdp.answer(s.ep.port(), offer, codec);
        s.session = plan.completeJoin(p, answer, mode).await().atMost(WAIT);
        s.answerSdp = answer;
        s.ep.connect(offer, offer.pt(codec));
        return s;
    }

    static void switchTo(Sup s, SupervisionMode mode) {
        s.session = plan.switchMode(s.session, mode).await().atMost(WAIT);
        assertThat(s.session.mode()).isEqualTo(mode);
    }

    static Map<RtpEndpoint, Capture> captureAll(List<RtpEndpoint> eps) throws InterruptedException {
        return ToneMatrix.captureAll(eps);
    }

    static void expectRow(String state, Map<RtpEndpoint, double[]> expected) throws InterruptedException {
        ToneMatrix.expectRow(state, expected);
    }

    static double[] hz(double... h) {
        return h;
    }

    /** rtpengine's current view of the call. */
    static CallView view(String callId) throws Exception {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("command", "query");
        q.put("call-id", callId);
        return CallView.parse(TestCall.await(ng.request(daemon, q)));
    }
}
