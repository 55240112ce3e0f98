package io.callsup.e2e;

import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.Management;
import io.callsup.testsupport.otel.InMemorySpans;
import io.callsup.testsupport.otel.SqlSpanEvents;
import io.callsup.testsupport.otel.OtlpReceiver;
import io.callsup.testsupport.otel.TracingProfile;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing switched on (README, "Observability"): the span trees of a dial-in decision, an RFC 4733
 * digit and a SIP INFO digit switching modes, and an API join, recorded from a real stack (Kamailio,
 * rtpengine, SIPp phones); no span attribute carries a user, number or raw Call-ID; and the same spans
 * reach an OTLP/HTTP collector.
 */
@QuarkusTest
@TestProfile(TracingProfile.class)
class TracingTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    InMemorySpans spans;

    @Test
    void dialInDtmfInfoAndApiJoinAreTracedWithoutPersonalData() throws Exception {
        spans.reset();
        Pbx pbx = new Pbx(true);
        try (Pbx.JohnsCall johns = pbx.johnsCall(Duration.ofSeconds(60));
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
             SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_wait_bye.xml", adam)) {
            Pbx.connect(adam, adamPhone);
            SupervisionSession session = Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);

            // The decision: Kamailio's POST -> authorise -> rtpengine offer/answer for the supervisor's party.
            SpanData decision = await("callsup.dial-in", s -> true);
            List<SpanData> trace = traceOf(decision);
            print("dial-in decision", trace);
            SpanData authorise = child(trace, decision, "callsup.authorise");
            SpanData prepare = child(trace, decision, "callsup.media.prepareDialIn");
            assertThat(children(trace, prepare)).extracting(SpanData::getName)
                    .contains("rtpengine.ng query", "rtpengine.ng offer", "rtpengine.ng answer");
            assertThat(authorise.getEndEpochNanos()).isLessThanOrEqualTo(prepare.getStartEpochNanos());
            SpanData offer = children(trace, prepare).stream().filter(s -> s.getName().equals("rtpengine.ng offer"))
                    .findFirst().orElseThrow();
            assertThat(offer.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(offer.getAttributes().asMap().keySet().stream().map(Object::toString).toList())
                    .contains("rtpengine.command", "rtpengine.daemon", "callsup.call_id.sha256");
            // Phase 2: Kamailio's "answered" -> state machine -> flows on, audited.
            SpanData outcome = await("callsup.dial-in.outcome", s -> true);
            List<SpanData> answered = traceOf(outcome);
            print("dial-in answered", answered);
            SpanData machine = child(answered, outcome, "callsup.session");
            System.out.printf("join cost: decision %d SQL, %d ng (%s); answered %d SQL, %d ng (%s)%n",
                    sql(trace), ng(trace).size(), ng(trace), sql(answered), ng(answered).size(), ng(answered));
            // Issue 12's budget. Before it: 9 SQL and 7 ng to decide (two transactions), 10 SQL and 8 ng
            // once answered (the first supervisor of a call also arms the legs: two connects).
            assertThat(sql(trace)).as("SQL statements of a dial-in decision").isLessThanOrEqualTo(6);
            // 7: a join that creates a slot first asks rtpengine's statistics for free ports
            // (PortHeadroom: an offer that runs out of ports ends the agent's call).
            assertThat(ng(trace)).as("ng commands of a dial-in decision").hasSizeLessThanOrEqualTo(7);
            assertThat(sql(answered)).as("SQL statements once the phone answered").isLessThanOrEqualTo(6);
            assertThat(ng(answered)).as("ng commands once the phone answered").hasSizeLessThanOrEqualTo(7);
            assertThat(children(answered, machine)).extracting(SpanData::getName)
                    .contains("callsup.media.activate", "callsup.audit.started");

            // RFC 4733 digit '2' (barge): rtpengine's DTMF log -> queued switch -> ng commands.
            adam.sendDigit('2', 200);
            Pbx.awaitMode(pbx.adam, SupervisionMode.BARGE);
            SpanData digit = await("callsup.dtmf", s -> hasDescendant(s, "callsup.session"));
            List<SpanData> dtmf = traceOf(digit);
            print("RFC 4733 digit", dtmf);
            assertThat(digit.getParentSpanContext().isValid()).as("a digit starts its trace").isFalse();
            assertThat(digit.getAttributes().asMap().toString()).contains("rfc4733").contains("callsup.dtmf.digit=2");
            SpanData switched = child(dtmf, child(dtmf, digit, "callsup.session"), "callsup.media.switchMode");
            assertThat(children(dtmf, switched)).extracting(SpanData::getName).anyMatch(n -> n.startsWith("rtpengine.ng "));
            assertThat(dtmf).extracting(SpanData::getName).contains("callsup.audit.modeChanged");
            System.out.printf("switch cost (RFC 4733, spy -> barge): %d SQL, %d before the first ng; %d ng (%s)%n",
                    sql(dtmf), sqlBeforeFirstNg(dtmf), ng(dtmf).size(), ng(dtmf));
            // Before issue 12: 7 statements before the first ng command, 12 in all.
            assertThat(sqlBeforeFirstNg(dtmf)).as("SQL statements before a digit's first ng command").isLessThanOrEqualTo(2);
            assertThat(sql(dtmf)).as("SQL statements of a digit's switch").isLessThanOrEqualTo(7);
            assertThat(ng(dtmf)).as("ng commands of spy -> barge").hasSizeLessThanOrEqualTo(3);

            // SIP INFO digit '0' (spy), as Kamailio reports it.
            SupervisionSession leg = Pbx.session(session.id);
            Management.given().contentType(ContentType.JSON).header("X-Callsup-Secret", KamailioResource.EVENT_SECRET)
                    .body(Map.of("event", "dtmf", "callId", leg.supervisorCallId, "fromTag", leg.supervisorFromTag,
                            "toTag", leg.supervisorToTag, "digit", "0", "durationMs", 200))
                    .post("/internal/kamailio/v1/supervisor-events").then().statusCode(204);
            Pbx.awaitMode(pbx.adam, SupervisionMode.SPY);
            SpanData info = await("callsup.supervisor-event", s -> hasDescendant(s, "callsup.session"));
            List<SpanData> infoTrace = traceOf(info);
            print("SIP INFO digit", infoTrace);
            child(infoTrace, child(infoTrace, info, "callsup.session"), "callsup.media.switchMode");

            // An API join (of a call that does not exist): the REST span, the join, Kamailio asked over JSON-RPC.
            String crm = CallControlApiTest.credential(pbx, "CUSTOMER", null, "CALL_CONTROL_MODIFY");
            CallControlApiTest.expectProblem(CallControlApiTest.join(crm, "no-such-call", pbx.adam, "SPY", null, null),
                    404, "not-found");
            // The REST span ends after the response is written: wait for it too.
            SpanData join = await("callsup.api-join", s -> traceOf(s).stream()
                    .anyMatch(p -> p.getSpanId().equals(s.getParentSpanId())));
            List<SpanData> joinTrace = traceOf(join);
            print("API join", joinTrace);
            SpanData server = joinTrace.stream().filter(s -> s.getSpanId().equals(join.getParentSpanId())).findFirst()
                    .orElseThrow(() -> new AssertionError("no REST server span above callsup.api-join"));
            assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
            child(joinTrace, join, "callsup.kamailio.reachable");

            // No personal data in any attribute of any span of these traces.
            List<SpanData> all = new ArrayList<>(spans.getFinishedSpanItems());
            String attributes = all.stream().map(s -> s.getAttributes().asMap().toString()).collect(Collectors.joining("\n"));
            assertThat(attributes).doesNotContain(pbx.adamUser, pbx.johnUser, session.callId, leg.supervisorCallId,
                    "*90744", "sip-secret-pw");

        }
    }

    /**
     * What an operator's collector receives: the OTLP/HTTP exporter POSTs protobuf with the
     * service's spans to {@link OtlpReceiver}. (It sent nothing while the tests' recorder was a
     * {@code SpanExporter} bean, which in Quarkus 3.34 switches the OTLP exporter off; see
     * {@link InMemorySpans}.)
     */
    @Test
    void otlpExporterPostsProtobufToTheCollector() throws Exception {
        Pbx pbx = new Pbx(true);
        String crm = CallControlApiTest.credential(pbx, "CUSTOMER", null, "CALL_CONTROL_MODIFY");
        CallControlApiTest.expectProblem(CallControlApiTest.join(crm, "no-such-call", pbx.adam, "SPY", null, null),
                404, "not-found");
        // The OTLP exporter sent protobuf to the collector, with these spans in it.
        long deadline = System.nanoTime() + WAIT.toNanos();
        int[] received = OtlpReceiver.received("callsup.api-join");
        while ((received[0] == 0 || received[1] == 0) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            received = OtlpReceiver.received("callsup.api-join");
        }
        System.out.println("OTLP receiver: " + received[0] + " POSTs to /v1/traces, callsup.api-join in them "
                + received[1] + " times");
        assertThat(received[0]).as("protobuf POSTs to /v1/traces").isPositive();
        assertThat(received[1]).as("callsup.api-join spans exported over OTLP").isPositive();
    }

    private SpanData await(String name, Predicate<SpanData> also) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<SpanData> found = spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals(name) && also.test(s)).reduce((a, b) -> b);
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(100);
        }
        spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name))
                .forEach(s -> print("unexpected trace of " + name, traceOf(s)));
        throw new AssertionError("no span " + name + " as expected within " + WAIT + "; have: "
                + spans.getFinishedSpanItems().stream().map(SpanData::getName).toList());
    }

    /** The session span ends last (after its commit), so its presence means its children are there too. */
    private boolean hasDescendant(SpanData root, String name) {
        return traceOf(root).stream().anyMatch(s -> s.getName().equals(name));
    }

    private List<SpanData> traceOf(SpanData span) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(span.getTraceId()))
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
    }

    private static List<SpanData> children(List<SpanData> trace, SpanData parent) {
        return trace.stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId())).toList();
    }

    /** SQL statements sent in a trace ({@link SqlSpanEvents}). */
    static long sql(List<SpanData> trace) {
        return trace.stream().mapToLong(s -> s.getEvents().stream()
                .filter(e -> e.getName().equals(SqlSpanEvents.EVENT)).count()).sum();
    }

    static long sqlBeforeFirstNg(List<SpanData> trace) {
        long firstNg = trace.stream().filter(s -> s.getName().startsWith("rtpengine.ng "))
                .mapToLong(SpanData::getStartEpochNanos).min().orElse(Long.MAX_VALUE);
        return trace.stream().flatMap(s -> s.getEvents().stream())
                .filter(e -> e.getName().equals(SqlSpanEvents.EVENT) && e.getEpochNanos() < firstNg).count();
    }

    /** The ng commands of a trace, in the order they were sent. */
    static List<String> ng(List<SpanData> trace) {
        return trace.stream().filter(s -> s.getName().startsWith("rtpengine.ng "))
                .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos))
                .map(s -> s.getName().substring("rtpengine.ng ".length())).toList();
    }

    private static SpanData child(List<SpanData> trace, SpanData parent, String name) {
        return children(trace, parent).stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(parent.getName() + " has no child " + name + ": "
                        + children(trace, parent).stream().map(SpanData::getName).toList()));
    }

    /** The tree as the README shows it: indentation by depth, duration, attributes. */
    private static void print(String title, List<SpanData> trace) {
        StringBuilder out = new StringBuilder("span tree, " + title + ":\n");
        Map<String, SpanData> byId = trace.stream().collect(Collectors.toMap(SpanData::getSpanId, s -> s));
        for (SpanData s : trace) {
            int depth = 0;
            for (SpanData p = byId.get(s.getParentSpanId()); p != null; p = byId.get(p.getParentSpanId())) {
                depth++;
            }
            out.append("  ".repeat(depth + 1)).append(s.getName()).append(" [").append(s.getKind()).append(", ")
                    .append((s.getEndEpochNanos() - s.getStartEpochNanos()) / 1000).append(" us] ")
                    .append(s.getAttributes().asMap().entrySet().stream()
                            .filter(e -> e.getKey().getKey().startsWith("callsup") || e.getKey().getKey().startsWith("rtpengine"))
                            .map(e -> e.getKey().getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")))
                    .append('\n');
        }
        System.out.print(out);
    }
}
