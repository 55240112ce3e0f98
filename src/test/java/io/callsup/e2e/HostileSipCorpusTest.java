package io.callsup.e2e;

import io.callsup.audit.OutboxEvent;
import io.callsup.calls.ActiveCall;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.RawSip;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import org.assertj.core.api.SoftAssertions;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile SIP corpus (src/test/resources/sip/hostile-corpus.txt) against the real Kamailio and
 * service while Adam supervises John's call in spy: every entry gets its exact answer, and none
 * changes the session, the calls or the audit trail (beyond the denials an entry declares).
 */
@QuarkusTest
class HostileSipCorpusTest {

    private static final Duration ANSWER_WAIT = Duration.ofSeconds(3);
    private static final Duration SILENCE_WAIT = Duration.ofMillis(700);

    @Test
    void everyHostileInputGetsItsAnswerAndChangesNothing() throws Exception {
        List<SipCorpus.Entry> corpus = SipCorpus.parse(read("/sip/hostile-corpus.txt"));
        assertThat(corpus).as("corpus entries").hasSizeGreaterThanOrEqualTo(60);

        Pbx pbx = new Pbx(true);
        try (Pbx.JohnsCall johns = pbx.johnsCall(null);
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_wait_bye.xml", adam);
             RawSip sip = new RawSip("127.0.0.1")) {
            Pbx.connect(adam, adamPhone);
            SupervisionSession session = Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
            SupervisionSession leg = Pbx.await("the supervisor leg's To-tag", () -> Pbx.session(session.id)
                    .supervisorToTag != null ? Pbx.session(session.id) : null);

            SipCorpus.Values values = new SipCorpus.Values(sip.local(), pbx.domain(), pbx.adamUser,
                    KamailioResource.HOST + ":" + KamailioResource.sipPort(),
                    ConfigProvider.getConfig().getValue("callsup.kamailio.mc-socket", String.class),
                    leg.supervisorCallId, leg.supervisorFromTag, leg.supervisorToTag);
            long sessions = count(SupervisionSession.class, pbx);
            long calls = count(ActiveCall.class, pbx);
            long audit = count(OutboxEvent.class, pbx);
            long started = System.nanoTime();

            SoftAssertions soft = new SoftAssertions();
            long expectedAudit = audit;
            for (SipCorpus.Entry e : corpus) {
                int port = "mc".equals(e.to()) ? values.mcPort() : KamailioResource.sipPort();
                String message = values.expand(e.message());
                RawSip.Reply reply = e.auth()
                        ? sip.requestWithAuth(message, pbx.adamUser, Pbx.SIP_PASSWORD, port, ANSWER_WAIT)
                        : sip.request(message, port, e.expectsNone() ? SILENCE_WAIT : ANSWER_WAIT);
                if (e.expectsNone()) {
                    soft.assertThat(reply).as(e.name() + ": no answer").isNull();
                } else {
                    soft.assertThat(reply).as(e.name() + ": an answer").isNotNull();
                    if (reply != null) {
                        soft.assertThat(reply.code()).as(e.name() + ": code (got " + reply + ")").isEqualTo(e.code());
                        if (e.reason() != null) {
                            soft.assertThat(reply.reason().toLowerCase(Locale.ROOT)).as(e.name() + ": reason")
                                    .contains(e.reason().toLowerCase(Locale.ROOT));
                        }
                    }
                }
                expectedAudit += e.audit();
                SupervisionSession now = Pbx.session(session.id);
                soft.assertThat(now.state).as(e.name() + ": session state (end reason " + now.endReason + ")")
                        .isEqualTo(SessionState.ACTIVE);
                soft.assertThat(now.mode).as(e.name() + ": session mode").isEqualTo(SupervisionMode.SPY);
            }
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            System.out.println("hostile SIP corpus: " + corpus.size() + " entries in " + tookMs + " ms");

            // Denials are audited after their answer is out: give the last one a moment.
            long wantAudit = expectedAudit;
            Pbx.await("audit rows settled", () -> count(OutboxEvent.class, pbx) >= wantAudit ? Boolean.TRUE : null);
            Thread.sleep(300);
            soft.assertThat(count(OutboxEvent.class, pbx)).as("audit rows (only the declared denials)")
                    .isEqualTo(expectedAudit);
            soft.assertThat(count(SupervisionSession.class, pbx)).as("supervision sessions").isEqualTo(sessions);
            soft.assertThat(count(ActiveCall.class, pbx)).as("active calls").isEqualTo(calls);
            soft.assertThat(Pbx.history(session)).as("mode history: only the join").hasSize(1);
            soft.assertThat(tookMs).as("corpus run time (ms)").isLessThan(60_000);
            soft.assertAll();
        }
    }

    private static long count(Class<?> entity, Pbx pbx) {
        return QuarkusTransaction.requiringNew().call(() -> {
            if (entity == OutboxEvent.class) {
                return OutboxEvent.count("customerId", pbx.abc.customerId());
            }
            if (entity == ActiveCall.class) {
                return ActiveCall.count("customerId", pbx.abc.customerId());
            }
            return SupervisionSession.count("customerId", pbx.abc.customerId());
        });
    }

    static String read(String resource) throws IOException {
        try (InputStream in = HostileSipCorpusTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
