package io.callsup.e2e;

import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.netns.NetnsLab;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.callsup.e2e.StackDb.await;
import static io.callsup.e2e.StackDb.sessionOf;
import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.sip.SippPhone.vars;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The people of a {@link NetnsLab} scenario: customer ABC with hunt group Support, ordinary calls
 * (an agent of Support called by another account of ABC, both SIPp phones with tone endpoints in the
 * root namespace) and supervisors who dial a feature code. Everything it opens closes with it,
 * newest first. The API calls go to {@code RestAssured.baseURI}, which the lab points at replica 1.
 */
final class LabScenario implements AutoCloseable {

    static final Duration SIP_WAIT = Duration.ofSeconds(20);
    static final String PW = "sip-secret-pw";

    final TestApi.Tenant abc;
    final long support;
    private final Connection db;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<Long, String> supUsers = new HashMap<>();
    private final Map<Long, SippPhone> supPhones = new HashMap<>();
    /** SIPp's -recv_timeout for the phones that wait for a BYE: past it SIPp aborts the call. */
    private String recvTimeoutMs = "120000";

    /**
     * One ordinary call. {@code daemon} is the rtpengine Kamailio anchored it in (its ng address, as
     * the dialog event named it), {@code callId} its Call-ID.
     */
    record Call(int n, String agentExt, long agentId, RtpEndpoint agent, RtpEndpoint caller, SippPhone agentPhone,
                SippPhone callerPhone, String callId, String daemon) {
    }

    LabScenario(Connection db) {
        this.db = db;
        this.abc = TestApi.newTenant("ABC", true);
        this.support = TestApi.newHuntGroup(abc, "Support");
    }

    /**
     * Phones started from now on wait up to {@code hold} for the network's BYE (default 120 s) before
     * SIPp gives up and hangs up itself: a load run holds its calls for minutes.
     */
    LabScenario holdPhonesFor(Duration hold) {
        recvTimeoutMs = Long.toString(hold.toMillis());
        return this;
    }

    /**
     * Call number {@code n}: agent 70n (member of Support) answers caller 80n; returns once the
     * service knows the call and which rtpengine holds it. {@code agentVars} go to the agent's SIPp
     * scenario on top of its RTP address.
     */
    Call call(int n, String agentScenario, String... agentVars) throws Exception {
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
        Map<String, String> v = new HashMap<>(vars("rtp_ip", NetnsLab.HOST, "rtp_port",
                Integer.toString(agent.port()), "ring_ms", "0"));
        v.putAll(vars(agentVars));
        SippPhone agentPhone = keep(SippPhone.start("agent" + n, agentScenario, port, v, "-recv_timeout", recvTimeoutMs));
        // supervisor_wait_bye.xml is a plain authenticated INVITE that waits for the network's BYE.
        SippPhone callerPhone = keep(SippPhone.start("caller" + n, "supervisor_wait_bye.xml", SippPhone.freshPort(),
                vars("user", callerUser, "domain", abc.sipDomain(), "dial", agentExt, "rtp_ip", NetnsLab.HOST,
                        "rtp_port", Integer.toString(caller.port())), "-au", callerUser, "-ap", PW,
                "-recv_timeout", recvTimeoutMs));
        Pbx.connect(agent, agentPhone);
        Pbx.connect(caller, callerPhone);
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
        }, "call " + n + " known to the service with its rtpengine");
        return new Call(n, agentExt, agentId, agent, caller, agentPhone, callerPhone, row[0], row[1]);
    }

    /** An account of ABC in Support, flagged "supervision allowed"; returns its id. */
    long supervisor(String ext, String name) {
        String user = TestApi.unique(name.toLowerCase());
        long id = accountWithUser(ext, name, user);
        TestApi.putMember(abc, support, id, true);
        supUsers.put(id, user);
        return id;
    }

    /** Supervisor {@code supId} (from {@link #supervisor}) dials {@code code}; its audio is {@code ep}. */
    SippPhone dial(long supId, String code, RtpEndpoint ep) throws Exception {
        return dial(supId, code, ep, "supervisor_wait_bye.xml");
    }

    /** As above, with another supervisor scenario and its {@code extraVars} (name, value, ...). */
    SippPhone dial(long supId, String code, RtpEndpoint ep, String scenario, String... extraVars) throws Exception {
        String user = supUsers.get(supId);
        Map<String, String> v = new HashMap<>(vars("user", user, "domain", abc.sipDomain(), "dial", code,
                "rtp_ip", NetnsLab.HOST, "rtp_port", Integer.toString(ep.port())));
        v.putAll(vars(extraVars));
        SippPhone p = keep(SippPhone.start("sup" + supId, scenario, SippPhone.freshPort(), v, "-au", user, "-ap", PW,
                "-recv_timeout", recvTimeoutMs));
        supPhones.put(supId, p);
        Pbx.connect(ep, p);
        return p;
    }

    SippPhone phoneOf(long supId) {
        return supPhones.get(supId);
    }

    long accountWithUser(String ext, String name, String user) {
        return as(abc).body(Map.of("extension", ext, "displayName", name, "sipUsername", user, "sipPassword", PW))
                .post("/api/v1/customer/accounts").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    RtpEndpoint endpoint(String name, double hz) throws Exception {
        return keep(new RtpEndpoint(name, hz));
    }

    <T extends AutoCloseable> T keep(T t) {
        open.add(t);
        return t;
    }

    /** Waits until the supervisor's newest session reads "STATE/MODE/REASON" starting with {@code prefix}. */
    void awaitSession(long supId, String prefix) throws Exception {
        await(() -> {
            String s = sessionOf(db, supId);
            return s != null && s.startsWith(prefix);
        }, "session of " + supId + " " + prefix + " (now " + sessionOf(db, supId) + ")");
    }

    /**
     * Watches, on its own connection and every 20 ms, for the supervisor's session to read
     * {@code prefix}; completes with the System.nanoTime() it was first seen (within {@code max}).
     */
    java.util.concurrent.CompletableFuture<Long> whenSession(NetnsLab lab, long supId, String prefix, Duration max) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (Connection own = lab.jdbc()) {
                long deadline = System.nanoTime() + max.toNanos();
                while (System.nanoTime() < deadline) {
                    String s = sessionOf(own, supId);
                    if (s != null && s.startsWith(prefix)) {
                        return System.nanoTime();
                    }
                    Thread.sleep(20);
                }
                throw new IllegalStateException("session of " + supId + " never read " + prefix + " within " + max);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
