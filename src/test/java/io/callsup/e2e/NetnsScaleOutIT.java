package io.callsup.e2e;

import io.callsup.e2e.LabScenario.Call;
import io.callsup.testsupport.netns.NetnsLab;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.callsup.e2e.StackDb.sessionIdOf;
import static io.callsup.e2e.StackDb.sessionOf;
import static io.callsup.e2e.StackDb.triggersOf;
import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15 on "separate hosts" (bin/netns-lab, {@link NetnsLab}): Kamailio spreads calls over two
 * rtpengines, two service replicas share PostgreSQL, and each rtpengine's DTMF log reaches both
 * replicas over multicast. Kamailio posts decisions and dialog events to replica 1 (its first
 * service URL; replica 2 only when replica 1 does not answer, NetnsReplicaFailoverIT); replica 2 holds the DTMF leader lock, so every digit is acted on by the replica
 * that did not make the decision. Asserted by what every phone hears (presence and absence, across
 * both calls at once), the sessions' rows, the replicas' metrics and the audit outbox.
 */
class NetnsScaleOutIT {

    private static final Duration SIP_WAIT = LabScenario.SIP_WAIT;
    /** Calls placed until both daemons hold one: the module hashes the call-id, P(all on one) = 2^-7. */
    private static final int MAX_CALLS = 8;
    /**
     * Crash to the supervisor's BYE. RtpengineCrashTest bounds it at 5 s on loopback (pings up to
     * 1.3 s, one teardown attempt timing out at 2 s); here it measured 4.4-4.7 s in the lab's first
     * runs, and why it is about a second slower than on loopback is not explained yet (open question
     * in the README's "Scaling out"). 7 s keeps a loaded CI run from failing on that unexplained part
     * while still catching a session that is never ended.
     */
    private static final Duration BYE_BOUND = Duration.ofSeconds(7);
    /**
     * Leader killed to a switching digit: PostgreSQL frees the lock when the killed JVM's socket
     * closes, the survivor takes it within one leader-check (500 ms), and the press that switched
     * took up to 400 ms to be seen here.
     */
    private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(3);

    private LabScenario people;

    @Test
    void callsOnBothRtpenginesAreSupervisedAndEitherReplicaSwitchesTheirDigits() throws Exception {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root, iproute2 netns and PostgreSQL 15 binaries");
        try (NetnsLab hosts = new NetnsLab().start(); Connection db = hosts.jdbc();
             LabScenario scenario = new LabScenario(db)) {
            people = scenario;
            run(hosts, db);
        }
    }

    private void run(NetnsLab lab, Connection db) throws Exception {
        // Calls until each daemon anchors one; Kamailio names the daemon in the dialog event.
        Map<String, Call> byDaemon = new LinkedHashMap<>();
        for (int n = 0; n < MAX_CALLS && byDaemon.size() < 2; n++) {
            Call c = call(n);
            byDaemon.putIfAbsent(c.daemon(), c);
        }
        assertThat(byDaemon.keySet()).as("calls spread over both rtpengines")
                .containsExactlyInAnyOrder(NetnsLab.ng(0), NetnsLab.ng(1));
        Call a = byDaemon.get(NetnsLab.ng(0));
        Call b = byDaemon.get(NetnsLab.ng(1));

        // A supervisor on each call, in spy mode (decided by replica 1).
        RtpEndpoint supA = people.endpoint("supA", 1700);
        RtpEndpoint supB = people.endpoint("supB", 2300);
        long supAId = people.supervisor("90" + a.n(), "SupA");
        long supBId = people.supervisor("90" + b.n(), "SupB");
        people.dial(supAId, "*90" + a.agentExt(), supA);
        people.dial(supBId, "*90" + b.agentExt(), supB);
        people.awaitSession(supAId, "ACTIVE/SPY/");
        people.awaitSession(supBId, "ACTIVE/SPY/");
        // The service drives the daemon Kamailio named, and only it.
        assertThat(mediaDaemon(db, supAId)).isEqualTo(a.daemon());
        assertThat(mediaDaemon(db, supBId)).isEqualTo(b.daemon());
        expectRow("spy on both daemons", Map.of(
                a.agent(), hz(a.caller().toneHz()), a.caller(), hz(a.agent().toneHz()),
                supA, hz(a.agent().toneHz(), a.caller().toneHz()),
                b.agent(), hz(b.caller().toneHz()), b.caller(), hz(b.agent().toneHz()),
                supB, hz(b.agent().toneHz(), b.caller().toneHz())));

        // RFC 4733 digits: multicast to both replicas, acted on once, by replica 2 (the DTMF leader).
        double beforeIgnored = ignoredDigits(lab, 0);
        supA.sendDigit('2', 200);
        supB.sendDigit('1', 200);
        people.awaitSession(supAId, "ACTIVE/BARGE/");
        people.awaitSession(supBId, "ACTIVE/WHISPER/");
        Thread.sleep(400); // the keypress is briefly audible in the new mix
        expectRow("barge on A, whisper on B", Map.of(
                a.agent(), hz(a.caller().toneHz(), supA.toneHz()), a.caller(), hz(a.agent().toneHz(), supA.toneHz()),
                supA, hz(a.agent().toneHz(), a.caller().toneHz()),
                b.agent(), hz(b.caller().toneHz(), supB.toneHz()), b.caller(), hz(b.agent().toneHz()),
                supB, hz(b.agent().toneHz(), b.caller().toneHz())));
        assertThat(triggersOf(db, supAId)).containsExactly("CODE", "RFC4733");
        assertThat(triggersOf(db, supBId)).containsExactly("CODE", "RFC4733");
        assertThat(ignoredDigits(lab, 0) - beforeIgnored).as("replica 1 received both digits and left them to the leader")
                .isEqualTo(2.0);
        assertThat(ignoredDigits(lab, 1)).as("replica 2 leads: it ignored none").isZero();
        assertThat(auditTypes(db, supAId)).containsExactly("started", "mode_changed");
        assertThat(auditTypes(db, supBId)).containsExactly("started", "mode_changed");

        killDtmfLeader(lab, db, a, b, supA, supAId, supB, supBId);
        crashOneDaemon(lab, db, a, b, supA, supAId, supB, supBId);
    }

    /**
     * Replica 2, which acts on every digit, is killed (SIGKILL) mid-supervision: both sessions go
     * on (same media), and replica 1 takes the DTMF leader lock, so a digit pressed after the kill
     * switches within {@link #TAKEOVER_BOUND}. A digit that reaches the replicas before the takeover
     * is lost (nobody acts on it); the supervisor presses again, as a person would.
     */
    private void killDtmfLeader(NetnsLab lab, Connection db, Call a, Call b, RtpEndpoint supA, long supAId,
                                RtpEndpoint supB, long supBId) throws Exception {
        long killedAt = System.nanoTime();
        lab.service(1).kill();
        int presses = 0;
        long switchedAt = 0;
        while (switchedAt == 0 && System.nanoTime() - killedAt < TAKEOVER_BOUND.toNanos() * 2) {
            supB.sendDigit('2', 100);
            presses++;
            long pressedAt = System.nanoTime();
            while (System.nanoTime() - pressedAt < 400_000_000L) {
                if (sessionOf(db, supBId).startsWith("ACTIVE/BARGE/")) {
                    switchedAt = System.nanoTime();
                    break;
                }
                Thread.sleep(20);
            }
        }
        assertThat(switchedAt).as("a digit switched after the DTMF leader died").isPositive();
        Duration takeover = Duration.ofNanos(switchedAt - killedAt);
        System.out.println("netns: DTMF leader killed; a digit switched " + takeover.toMillis() + " ms later ("
                + presses + " press(es))");
        assertThat(takeover).isLessThan(TAKEOVER_BOUND);
        assertThat(sessionOf(db, supAId)).isEqualTo("ACTIVE/BARGE/null");
        Thread.sleep(400);
        expectRow("barge on both after replica 2 died", Map.of(
                a.agent(), hz(a.caller().toneHz(), supA.toneHz()), a.caller(), hz(a.agent().toneHz(), supA.toneHz()),
                supA, hz(a.agent().toneHz(), a.caller().toneHz()),
                b.agent(), hz(b.caller().toneHz(), supB.toneHz()), b.caller(), hz(b.agent().toneHz(), supB.toneHz()),
                supB, hz(b.agent().toneHz(), b.caller().toneHz())));
        supB.sendDigit('1', 200);
        people.awaitSession(supBId, "ACTIVE/WHISPER/");
        assertThat(triggersOf(db, supBId)).containsExactly("CODE", "RFC4733", "RFC4733", "RFC4733");
    }

    /**
     * rtpengine 1 (call A) crashes: A's supervisor is hung up with "Supervision media lost" and,
     * once the daemon is back (it alone can confirm the media gone; RtpengineCrashTest), audited
     * ended/media-lost; call B and its whisper are untouched throughout.
     */
    private void crashOneDaemon(NetnsLab lab, Connection db, Call a, Call b, RtpEndpoint supA, long supAId,
                                RtpEndpoint supB, long supBId) throws Exception {
        SippPhone supAPhone = people.phoneOf(supAId);
        long crashedAt = System.nanoTime();
        lab.crashRtpengine(0);
        assertThat(supAPhone.awaitExit(SIP_WAIT)).as(supAPhone.trace()).isZero();
        Duration bye = Duration.ofNanos(System.nanoTime() - crashedAt);
        System.out.println("netns: supervisor of the crashed daemon's call got its BYE " + bye.toMillis() + " ms after SIGKILL");
        assertThat(supAPhone.log()).contains("BYE Reason:").contains("Supervision media lost");
        assertThat(bye).isLessThan(BYE_BOUND);
        assertThat(sessionOf(db, supBId)).isEqualTo("ACTIVE/WHISPER/null");
        expectRow("B after A's daemon crashed", Map.of(
                b.agent(), hz(b.caller().toneHz(), supB.toneHz()), b.caller(), hz(b.agent().toneHz()),
                supB, hz(b.agent().toneHz(), b.caller().toneHz())));
        assertThat(people.phoneOf(supBId).running()).isTrue();

        // New calls go to the survivor, and a join on one succeeds (replica 1 alone now).
        Call c = call(20);
        assertThat(c.daemon()).isEqualTo(NetnsLab.ng(1));
        RtpEndpoint supC = people.endpoint("supC", 2900);
        long supCId = people.supervisor("920", "SupC");
        people.dial(supCId, "*90" + c.agentExt(), supC);
        people.awaitSession(supCId, "ACTIVE/SPY/");
        expectRow("spy on a call placed while rtpengine 1 is dead", Map.of(
                c.agent(), hz(c.caller().toneHz()), c.caller(), hz(c.agent().toneHz()),
                supC, hz(c.agent().toneHz(), c.caller().toneHz()),
                b.agent(), hz(b.caller().toneHz(), supB.toneHz()), b.caller(), hz(b.agent().toneHz()),
                supB, hz(b.agent().toneHz(), b.caller().toneHz())));

        lab.restartRtpengine(0);
        people.awaitSession(supAId, "ENDED/BARGE/MEDIA_LOST");
        assertThat(auditTypes(db, supAId)).containsExactly("started", "mode_changed", "ended");
        // B: whisper, barge (after replica 2 died), whisper again.
        assertThat(auditTypes(db, supBId)).containsExactly("started", "mode_changed", "mode_changed", "mode_changed");

        // B's supervisor leaves through the API: B's parties hear only each other, and the audit ends.
        as(people.abc).delete("/api/v1/supervision-sessions/" + sessionIdOf(db, supBId)).then().statusCode(200);
        assertThat(people.phoneOf(supBId).awaitExit(SIP_WAIT)).isZero();
        people.awaitSession(supBId, "ENDED/WHISPER/API");
        expectRow("B after its supervisor left", Map.of(
                b.agent(), hz(b.caller().toneHz()), b.caller(), hz(b.agent().toneHz()), supB, hz()));
        assertThat(auditTypes(db, supBId)).containsExactly("started", "mode_changed", "mode_changed", "mode_changed",
                "ended");
    }

    private Call call(int n) throws Exception {
        Call c = people.call(n, "uas_answer.xml");
        System.out.println("netns: call " + n + " anchored in " + c.daemon());
        return c;
    }

    private static String mediaDaemon(Connection db, long supId) throws Exception {
        return one(db, "SELECT media_daemon FROM supervision_session WHERE supervisor_account_id = ?"
                + " ORDER BY started_at DESC LIMIT 1", supId);
    }

    private static String one(Connection db, String sql, long id) throws Exception {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The session's audit rows in the outbox, oldest first, short types ("started", "ended"). */
    private static List<String> auditTypes(Connection db, long supId) throws Exception {
        try (PreparedStatement ps = db.prepareStatement("SELECT event_type FROM audit_outbox WHERE session_id ="
                + " (SELECT id FROM supervision_session WHERE supervisor_account_id = ? ORDER BY started_at DESC LIMIT 1)"
                + " ORDER BY id")) {
            ps.setLong(1, supId);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    String t = rs.getString(1);
                    out.add(t.substring(t.lastIndexOf('.') + 1));
                }
                return out;
            }
        }
    }

    private static final Pattern IGNORED = Pattern.compile(
            "callsup_dtmf_log_dropped_total\\{[^}]*reason=\"another-replica-leads\"[^}]*\\} ([0-9.eE+-]+)");

    /** Digits the replica received but left to the DTMF leader. */
    private static double ignoredDigits(NetnsLab lab, int replica) throws Exception {
        Matcher m = IGNORED.matcher(lab.metrics(replica));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
