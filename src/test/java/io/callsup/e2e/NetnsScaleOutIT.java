package io.callsup.e2e;

import io.callsup.testsupport.TestApi;
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

import static io.callsup.e2e.StackDb.await;
import static io.callsup.e2e.StackDb.sessionOf;
import static io.callsup.e2e.StackDb.triggersOf;
import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.sip.SippPhone.vars;
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

    private static final Duration SIP_WAIT = Duration.ofSeconds(20);
    private static final String PW = "sip-secret-pw";
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

    private TestApi.Tenant abc;
    private long support;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** One ordinary call: agent (member of Support) called by another account of ABC. */
    private record Call(int n, String agentExt, RtpEndpoint agent, RtpEndpoint caller, String callId, String daemon) {
    }

    @Test
    void callsOnBothRtpenginesAreSupervisedAndEitherReplicaSwitchesTheirDigits() throws Exception {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root, iproute2 netns and PostgreSQL 15 binaries");
        try (NetnsLab lab = new NetnsLab().start(); Connection db = lab.jdbc()) {
            abc = TestApi.newTenant("ABC", true);
            support = TestApi.newHuntGroup(abc, "Support");
            try {
                run(lab, db);
            } finally {
                for (int i = open.size() - 1; i >= 0; i--) {
                    open.get(i).close();
                }
            }
        }
    }

    private void run(NetnsLab lab, Connection db) throws Exception {
        // Calls until each daemon anchors one; Kamailio names the daemon in the dialog event.
        Map<String, Call> byDaemon = new LinkedHashMap<>();
        for (int n = 0; n < MAX_CALLS && byDaemon.size() < 2; n++) {
            Call c = call(db, n);
            byDaemon.putIfAbsent(c.daemon(), c);
        }
        assertThat(byDaemon.keySet()).as("calls spread over both rtpengines")
                .containsExactlyInAnyOrder(NetnsLab.ng(0), NetnsLab.ng(1));
        Call a = byDaemon.get(NetnsLab.ng(0));
        Call b = byDaemon.get(NetnsLab.ng(1));

        // A supervisor on each call, in spy mode (decided by replica 1).
        RtpEndpoint supA = endpoint("supA", 1700);
        RtpEndpoint supB = endpoint("supB", 2300);
        long supAId = account("90" + a.n(), "SupA", true);
        long supBId = account("90" + b.n(), "SupB", true);
        dial(supAId, "90" + a.n(), "*90" + a.agentExt(), supA);
        dial(supBId, "90" + b.n(), "*90" + b.agentExt(), supB);
        awaitSession(db, supAId, "ACTIVE/SPY/");
        awaitSession(db, supBId, "ACTIVE/SPY/");
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
        awaitSession(db, supAId, "ACTIVE/BARGE/");
        awaitSession(db, supBId, "ACTIVE/WHISPER/");
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
        awaitSession(db, supBId, "ACTIVE/WHISPER/");
        assertThat(triggersOf(db, supBId)).containsExactly("CODE", "RFC4733", "RFC4733", "RFC4733");
    }

    /**
     * rtpengine 1 (call A) crashes: A's supervisor is hung up with "Supervision media lost" and,
     * once the daemon is back (it alone can confirm the media gone; RtpengineCrashTest), audited
     * ended/media-lost; call B and its whisper are untouched throughout.
     */
    private void crashOneDaemon(NetnsLab lab, Connection db, Call a, Call b, RtpEndpoint supA, long supAId,
                                RtpEndpoint supB, long supBId) throws Exception {
        SippPhone supAPhone = phones.get(supAId);
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
        assertThat(phones.get(supBId).running()).isTrue();

        // New calls go to the survivor, and a join on one succeeds (replica 1 alone now).
        Call c = call(db, 20);
        assertThat(c.daemon()).isEqualTo(NetnsLab.ng(1));
        RtpEndpoint supC = endpoint("supC", 2900);
        long supCId = account("920", "SupC", true);
        dial(supCId, "920", "*90" + c.agentExt(), supC);
        awaitSession(db, supCId, "ACTIVE/SPY/");
        expectRow("spy on a call placed while rtpengine 1 is dead", Map.of(
                c.agent(), hz(c.caller().toneHz()), c.caller(), hz(c.agent().toneHz()),
                supC, hz(c.agent().toneHz(), c.caller().toneHz()),
                b.agent(), hz(b.caller().toneHz(), supB.toneHz()), b.caller(), hz(b.agent().toneHz()),
                supB, hz(b.agent().toneHz(), b.caller().toneHz())));

        lab.restartRtpengine(0);
        awaitSession(db, supAId, "ENDED/BARGE/MEDIA_LOST");
        assertThat(auditTypes(db, supAId)).containsExactly("started", "mode_changed", "ended");
        // B: whisper, barge (after replica 2 died), whisper again.
        assertThat(auditTypes(db, supBId)).containsExactly("started", "mode_changed", "mode_changed", "mode_changed");

        // B's supervisor leaves through the API: B's parties hear only each other, and the audit ends.
        as(abc).delete("/api/v1/supervision-sessions/" + sessionId(db, supBId)).then().statusCode(200);
        assertThat(phones.get(supBId).awaitExit(SIP_WAIT)).isZero();
        awaitSession(db, supBId, "ENDED/WHISPER/API");
        expectRow("B after its supervisor left", Map.of(
                b.agent(), hz(b.caller().toneHz()), b.caller(), hz(b.agent().toneHz()), supB, hz()));
        assertThat(auditTypes(db, supBId)).containsExactly("started", "mode_changed", "mode_changed", "mode_changed",
                "ended");
    }

    private final Map<Long, SippPhone> phones = new java.util.HashMap<>();

    private Call call(Connection db, int n) throws Exception {
        String agentExt = "70" + n;
        String agentUser = TestApi.unique("agent" + n);
        String callerUser = TestApi.unique("caller" + n);
        long agentId = accountWithUser(agentExt, "Agent" + n, agentUser);
        TestApi.putMember(abc, support, agentId, false);
        accountWithUser("80" + n, "Caller" + n, callerUser);
        RtpEndpoint agent = endpoint("agent" + n, 400 + 50 * n);
        RtpEndpoint caller = endpoint("caller" + n, 900 + 50 * n);
        int port = SippPhone.freshPort();
        SippPhone reg = SippPhone.start("agent" + n + "-register", "register.xml", port,
                vars("user", agentUser, "domain", abc.sipDomain(), "expires", "3600"), "-au", agentUser, "-ap", PW);
        assertThat(reg.awaitExit(SIP_WAIT)).as(reg.trace()).isZero();
        SippPhone agentPhone = keep(SippPhone.start("agent" + n, "uas_answer.xml", port, vars("rtp_ip",
                NetnsLab.HOST, "rtp_port", Integer.toString(agent.port()), "ring_ms", "0"), "-recv_timeout", "120000"));
        // supervisor_wait_bye.xml is a plain authenticated INVITE that waits for the network's BYE.
        SippPhone callerPhone = keep(SippPhone.start("caller" + n, "supervisor_wait_bye.xml", SippPhone.freshPort(),
                vars("user", callerUser, "domain", abc.sipDomain(), "dial", agentExt, "rtp_ip", NetnsLab.HOST,
                        "rtp_port", Integer.toString(caller.port())), "-au", callerUser, "-ap", PW,
                "-recv_timeout", "120000"));
        connect(agent, agentPhone);
        connect(caller, callerPhone);
        String[] row = new String[2];
        await(() -> {
            try (PreparedStatement ps = db.prepareStatement("SELECT call_id, rtpengine FROM active_call"
                    + " WHERE callee_account_id = ? AND NOT supervision_leg")) {
                ps.setLong(1, agentId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getString(2) != null) {
                        row[0] = rs.getString(1);
                        row[1] = rs.getString(2);
                        return true;
                    }
                }
            }
            return false;
        }, "call " + n + " registered with its rtpengine");
        System.out.println("netns: call " + n + " anchored in " + row[1]);
        return new Call(n, agentExt, agent, caller, row[0], row[1]);
    }

    private void dial(long supId, String ext, String code, RtpEndpoint ep) throws Exception {
        String user = supUsers.get(supId);
        SippPhone p = keep(SippPhone.start("sup" + ext, "supervisor_wait_bye.xml", SippPhone.freshPort(),
                vars("user", user, "domain", abc.sipDomain(), "dial", code, "rtp_ip", NetnsLab.HOST,
                        "rtp_port", Integer.toString(ep.port())), "-au", user, "-ap", PW, "-recv_timeout", "120000"));
        phones.put(supId, p);
        connect(ep, p);
    }

    private final Map<Long, String> supUsers = new java.util.HashMap<>();

    private long account(String ext, String name, boolean supervisor) {
        String user = TestApi.unique(name.toLowerCase());
        long id = accountWithUser(ext, name, user);
        TestApi.putMember(abc, support, id, supervisor);
        supUsers.put(id, user);
        return id;
    }

    private long accountWithUser(String ext, String name, String user) {
        return as(abc).body(Map.of("extension", ext, "displayName", name, "sipUsername", user, "sipPassword", PW))
                .post("/api/v1/customer/accounts").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private RtpEndpoint endpoint(String name, double hz) throws Exception {
        return keep(new RtpEndpoint(name, hz));
    }

    private <T extends AutoCloseable> T keep(T t) {
        open.add(t);
        return t;
    }

    private static void connect(RtpEndpoint ep, SippPhone phone) throws InterruptedException {
        var sdp = phone.awaitReceivedSdp(SIP_WAIT);
        ep.connect(sdp, sdp.pt("PCMU"));
    }

    private static void awaitSession(Connection db, long supId, String prefix) throws Exception {
        await(() -> {
            String s = sessionOf(db, supId);
            return s != null && s.startsWith(prefix);
        }, "session of " + supId + " " + prefix + " (now " + sessionOf(db, supId) + ")");
    }

    private static String mediaDaemon(Connection db, long supId) throws Exception {
        return one(db, "SELECT media_daemon FROM supervision_session WHERE supervisor_account_id = ?"
                + " ORDER BY started_at DESC LIMIT 1", supId);
    }

    private static String sessionId(Connection db, long supId) throws Exception {
        return one(db, "SELECT id FROM supervision_session WHERE supervisor_account_id = ?"
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
