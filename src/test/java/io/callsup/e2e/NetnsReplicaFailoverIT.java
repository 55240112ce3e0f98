package io.callsup.e2e;

import io.callsup.e2e.LabScenario.Call;
import io.callsup.testsupport.SseStream;
import io.callsup.testsupport.netns.NetnsLab;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.callsup.e2e.StackDb.sessionOf;
import static io.callsup.e2e.StackDb.triggersOf;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, Kamailio's failover across service replicas, on "separate hosts" ({@link NetnsLab}):
 * Kamailio's KAMAILIO_SERVICE_URL names both replicas, replica 1 first. Replica 1 is SIGKILLed
 * mid-supervision; from then on every request Kamailio makes to the service (the decision of a new
 * join, its outcome, the dialog events) must reach replica 2. Asserted by what the phones hear, the
 * sessions' rows and the supervisor's BYE when the supervised call ends:
 * <ol>
 * <li>the existing session's media goes on (spy mix, presence and absence);</li>
 * <li>SIP INFO digits still switch it: its supervisor sends three INFO digits (whisper, spy, whisper),
 * the first {@link #INFO_AFTER_MS} after the join, so after the kill; Kamailio answers each and
 * posts the digit to the service, which must now be replica 2. The time from the first INFO leaving
 * the phone to the session reading WHISPER is printed and bounded by {@link #INFO_BOUND};</li>
 * <li>an RFC 4733 digit still switches it (replica 2 is the DTMF leader: this is not Kamailio's path,
 * but it shows the session is served by the survivor);</li>
 * <li>a new supervisor dials in to another call and joins (decision and outcome to replica 2); the
 * time from the kill to its session being ACTIVE is printed and bounded by {@link #JOIN_BOUND};</li>
 * <li>the first call ends (its agent hangs up): Kamailio's dialog "end" reaches replica 2, which
 * ends the session (CALL_ENDED) and hangs up the supervisor.</li>
 * </ol>
 * A console's SSE stream opened on replica 1 ends with it; reopened on replica 2 with Last-Event-ID
 * (after the new join), the two connections together carry every event of the shared log once.
 * Not covered here: a black-holed replica (no RST; it costs KAMAILIO_HTTP_TIMEOUT once per
 * CS_SVC_DOWN_FOR window, see route[SVC_POST]).
 */
class NetnsReplicaFailoverIT {

    private static final Duration SIP_WAIT = LabScenario.SIP_WAIT;
    /**
     * Kill to the new supervisor's session ACTIVE, SIPp start included. The killed replica's socket
     * refuses at once (its namespace keeps its address), so failover adds one refused connect.
     */
    private static final Duration JOIN_BOUND = Duration.ofSeconds(5);
    /** A's supervisor sends its first SIP INFO digit this long after the join: after the kill. */
    private static final int INFO_AFTER_MS = 6000;
    /**
     * First INFO sent to A's session reading WHISPER: Kamailio's post of the digit meets the dead
     * replica at most once (a refused connect, then CS_SVC_DOWN_FOR skips it), then replica 2 switches.
     */
    private static final Duration INFO_BOUND = Duration.ofSeconds(3);
    /** Agent of call A hangs up this long after answering: after the kill, the digits and the join. */
    private static final int HOLD_MS = 25_000;

    private LabScenario people;

    @Test
    void killingTheReplicaKamailioTriesFirstKeepsSessionsJoinsAndDialogEvents() throws Exception {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root, iproute2 netns and PostgreSQL 15 binaries");
        String baseUri = RestAssured.baseURI;
        try (NetnsLab lab = new NetnsLab().start(); Connection db = lab.jdbc();
             LabScenario scenario = new LabScenario(db)) {
            people = scenario;
            run(lab, db);
        } finally {
            RestAssured.baseURI = baseUri;
        }
    }

    private void run(NetnsLab lab, Connection db) throws Exception {
        // A console on replica 1, from before the first call.
        SseStream console1 = people.keep(new SseStream(api(0), people.abc, null));
        long callAStarted = System.nanoTime();
        Call a = people.call(0, "uas_answer_then_bye.xml", "hold_ms", Integer.toString(HOLD_MS));
        Call b = people.call(1, "uas_answer.xml");

        RtpEndpoint supA = people.endpoint("supA", 1700);
        long supAId = people.supervisor("900", "SupA");
        SippPhone supAPhone = people.dial(supAId, "*90" + a.agentExt(), supA, "supervisor_info_story.xml",
                "digit1", "1", "digit2", "0", "digit3", "1", "pause1_ms", Integer.toString(INFO_AFTER_MS),
                "pause2_ms", "1000", "pause3_ms", "1000");
        people.awaitSession(supAId, "ACTIVE/SPY/");
        long supAJoinedAt = System.nanoTime();
        expectRow("spy on A, both replicas up", Map.of(
                a.agent(), hz(a.caller().toneHz()), a.caller(), hz(a.agent().toneHz()),
                supA, hz(a.agent().toneHz(), a.caller().toneHz())));

        long killedAt = System.nanoTime();
        assertThat(Duration.ofNanos(killedAt - supAJoinedAt)).as("the kill comes before A's supervisor's first INFO")
                .isLessThan(Duration.ofMillis(INFO_AFTER_MS - 1500));
        CompletableFuture<Long> whisperSeen = people.whenSession(lab, supAId, "ACTIVE/WHISPER/", Duration.ofSeconds(30));
        lab.service(0).kill();
        // The test's API client used replica 1 too.
        RestAssured.baseURI = "http://" + NetnsLab.SVC[1];
        assertThat(console1.awaitEnd(Duration.ofSeconds(5))).as("replica 1's SSE connection ended").isTrue();
        System.out.println("netns: replica 1 (Kamailio's first URL) killed "
                + Duration.ofNanos(killedAt - callAStarted).toMillis() + " ms after call A was placed");

        // A new join, decided by replica 2 alone.
        RtpEndpoint supB = people.endpoint("supB", 2300);
        long supBId = people.supervisor("901", "SupB");
        people.dial(supBId, "*90" + b.agentExt(), supB);
        people.awaitSession(supBId, "ACTIVE/SPY/");
        Duration join = Duration.ofNanos(System.nanoTime() - killedAt);
        System.out.println("netns: replica 1 killed; a new join was ACTIVE (via replica 2) " + join.toMillis()
                + " ms later");
        assertThat(join).isLessThan(JOIN_BOUND);
        assertThat(people.phoneOf(supBId).inviteAnswer()).as(people.phoneOf(supBId).trace()).hasValueSatisfying(
                s -> assertThat(s).startsWith("200"));

        // The console comes back on replica 2, after the join: the join's events must come as replay.
        List<Long> before = console1.ids();
        long last = before.isEmpty() ? console1.readyId() : before.get(before.size() - 1);
        SseStream console2 = people.keep(new SseStream(api(1), people.abc, last));
        assertThat(console2.readyData()).contains("\"complete\":true");

        // SIP INFO digits of the session replica 1 decided: Kamailio's posts reach replica 2.
        long switchedAt = whisperSeen.get(30, TimeUnit.SECONDS);
        people.awaitSession(supAId, "ACTIVE/WHISPER/");
        StackDb.await(() -> triggersOf(db, supAId).size() == 4, "A's three INFO digits acted on");
        assertThat(triggersOf(db, supAId)).containsExactly("CODE", "SIP_INFO", "SIP_INFO", "SIP_INFO");
        long[] info = BenchFigures.requestAnd200Micros(supAPhone.messageTrace(), "INFO", 3);
        assertThat(info[0]).as("A's supervisor sent its first INFO (" + supAPhone.messageTrace() + ")").isPositive();
        long infoSentAt = (info[0] - BenchFigures.wallMinusMonoMicros()) * 1000;
        assertThat(infoSentAt).as("the first INFO left after the kill").isGreaterThan(killedAt);
        Duration infoSwitch = Duration.ofNanos(switchedAt - infoSentAt);
        System.out.println("netns: first SIP INFO digit sent " + Duration.ofNanos(infoSentAt - killedAt).toMillis()
                + " ms after the kill; session read WHISPER " + infoSwitch.toMillis() + " ms after the INFO left");
        assertThat(infoSwitch).isLessThan(INFO_BOUND);
        Thread.sleep(400);
        expectRow("whisper on A by SIP INFO, replica 1 dead", Map.of(
                a.agent(), hz(a.caller().toneHz(), supA.toneHz()), a.caller(), hz(a.agent().toneHz()),
                supA, hz(a.agent().toneHz(), a.caller().toneHz())));

        // And an RFC 4733 digit (the DTMF log, not Kamailio's path) switches it too.
        supA.sendDigit('2', 200);
        people.awaitSession(supAId, "ACTIVE/BARGE/");
        assertThat(triggersOf(db, supAId)).containsExactly("CODE", "SIP_INFO", "SIP_INFO", "SIP_INFO", "RFC4733");
        Thread.sleep(400); // the keypress is briefly audible in the new mix
        expectRow("barge on A, spy on B, replica 1 dead", Map.of(
                a.agent(), hz(a.caller().toneHz(), supA.toneHz()), a.caller(), hz(a.agent().toneHz(), supA.toneHz()),
                supA, hz(a.agent().toneHz(), a.caller().toneHz()),
                b.agent(), hz(b.caller().toneHz()), b.caller(), hz(b.agent().toneHz()),
                supB, hz(b.agent().toneHz(), b.caller().toneHz())));

        // Call A ends (its agent hangs up): the dialog event must reach replica 2.
        assertThat(a.agentPhone().awaitExit(Duration.ofMillis(HOLD_MS + 20_000))).as(a.agentPhone().trace()).isZero();
        long hungUpAt = System.nanoTime();
        assertThat(supAPhone.awaitExit(SIP_WAIT)).as(supAPhone.trace()).isZero();
        people.awaitSession(supAId, "ENDED/BARGE/CALL_ENDED");
        System.out.println("netns: call A ended after the kill; its supervisor's BYE came "
                + Duration.ofNanos(System.nanoTime() - hungUpAt).toMillis() + " ms after the agent's BYE");
        assertThat(a.callerPhone().awaitExit(SIP_WAIT)).isZero();
        // B and its supervisor are untouched by A's end.
        assertThat(sessionOf(db, supBId)).isEqualTo("ACTIVE/SPY/null");
        expectRow("B after A ended", Map.of(
                b.agent(), hz(b.caller().toneHz()), b.caller(), hz(b.agent().toneHz()),
                supB, hz(b.agent().toneHz(), b.caller().toneHz()), supA, hz()));

        // The console saw every event once across both replicas: what the shared log holds since it opened.
        List<Long> logged = loggedSince(db, console1.readyId());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (console1.ids().size() + console2.ids().size() < logged.size() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<Long> seen = new ArrayList<>(console1.ids());
        seen.addAll(console2.ids());
        System.out.println("netns: console saw " + console1.ids().size() + " events on replica 1 and "
                + console2.ids().size() + " on replica 2 (" + console2.readyData() + "): " + console2.names());
        assertThat(seen).as("events on the console, both connections").containsExactlyInAnyOrderElementsOf(logged);
        assertThat(console2.names()).contains("supervision.started", "supervision.mode-changed", "call.ended",
                "supervision.ended");
    }

    private List<Long> loggedSince(Connection db, long after) throws Exception {
        try (PreparedStatement ps = db.prepareStatement("SELECT id FROM live_event WHERE customer_id = ? AND id > ?"
                + " ORDER BY id")) {
            ps.setLong(1, people.abc.customerId());
            ps.setLong(2, after);
            try (ResultSet rs = ps.executeQuery()) {
                List<Long> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
                return out;
            }
        }
    }

    private static String api(int replica) {
        return "http://" + NetnsLab.SVC[replica] + ":" + NetnsLab.HTTP;
    }
}
