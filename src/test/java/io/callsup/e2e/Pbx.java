package io.callsup.e2e;

import io.callsup.audit.OutboxEvent;
import io.callsup.calls.ActiveCall;
import io.callsup.supervision.ModeChange;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.narayana.jta.QuarkusTransaction;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.sip.SippPhone.vars;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's company on the test PBX: ABC with the Support hunt group, John (744) as agent and
 * Adam (745) allowed to supervise, plus helpers to put phones on calls through the real Kamailio.
 */
final class Pbx {

    static final Duration SIP_WAIT = Duration.ofSeconds(15);
    static final double JOHN_HZ = 700;
    static final double CLIENT_HZ = 1100;
    static final double ADAM_HZ = 1700;

    final TestApi.Tenant abc;
    final long john;
    final long adam;
    final long support;
    final String johnUser = TestApi.unique("john");
    final String adamUser = TestApi.unique("adam");
    static final String SIP_PASSWORD = "sip-secret-pw";

    Pbx(boolean supervisionEnabled) {
        abc = TestApi.newTenant("ABC", supervisionEnabled);
        john = account("744", "John", johnUser);
        adam = account("745", "Adam", adamUser);
        support = TestApi.newHuntGroup(abc, "Support");
        TestApi.putMember(abc, support, john, false);
        TestApi.putMember(abc, support, adam, true);
    }

    long account(String extension, String name, String sipUser) {
        return as(abc).body(Map.of("extension", extension, "displayName", name, "sipUsername", sipUser,
                        "sipPassword", SIP_PASSWORD))
                .post("/api/v1/customer/accounts").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    String domain() {
        return abc.sipDomain();
    }

    /** REGISTERs a phone, then leaves it answering calls on the same port. */
    SippPhone answeringPhone(String name, String sipUser, RtpEndpoint media) throws InterruptedException {
        return answeringPhone(name, sipUser, media, "uas_answer.xml");
    }

    /** As above with another callee scenario, e.g. one that hangs up by itself. */
    SippPhone answeringPhone(String name, String sipUser, RtpEndpoint media, String scenario, String... extraVars)
            throws InterruptedException {
        int port = SippPhone.freshPort();
        SippPhone reg = SippPhone.start(name + "-register", "register.xml", port,
                vars("user", sipUser, "domain", domain(), "expires", "3600"), "-au", sipUser, "-ap", SIP_PASSWORD);
        assertThat(reg.awaitExit(SIP_WAIT)).as(reg.trace()).isZero();
        Map<String, String> v = vars("rtp_ip", io.callsup.testsupport.TestHosts.phone(), "rtp_port", Integer.toString(media.port()),
                "ring_ms", "0");
        v.putAll(vars(extraVars));
        return SippPhone.start(name, scenario, port, v, "-recv_timeout", "120000");
    }

    /** REGISTERs a phone, then runs {@code scenario} (one without media, e.g. uas_busy.xml) on the same port. */
    SippPhone registeredPhone(String name, String sipUser, String scenario) throws InterruptedException {
        int port = SippPhone.freshPort();
        SippPhone reg = SippPhone.start(name + "-register", "register.xml", port,
                vars("user", sipUser, "domain", domain(), "expires", "3600"), "-au", sipUser, "-ap", SIP_PASSWORD);
        assertThat(reg.awaitExit(SIP_WAIT)).as(reg.trace()).isZero();
        return SippPhone.start(name, scenario, port, vars(), "-recv_timeout", "120000");
    }

    /** An outside client calling an extension through the carrier trunk; hangs up after {@code hold}. */
    SippPhone clientCalls(String extension, RtpEndpoint media, Duration hold) {
        return SippPhone.start("client", "uac_call.xml", KamailioResource.trunkPort(),
                vars("user", "client", "domain", domain(), "target", extension, "rtp_ip", io.callsup.testsupport.TestHosts.phone(),
                        "rtp_port", Integer.toString(media.port()), "hold_ms", Long.toString(hold.toMillis())));
    }

    /** An outside client calling an extension that stays on until the network hangs up. */
    SippPhone clientCallsUntilBye(String extension, RtpEndpoint media) {
        return SippPhone.start("client", "uac_call_wait_bye.xml", KamailioResource.trunkPort(),
                vars("user", "client", "domain", domain(), "target", extension, "rtp_ip", io.callsup.testsupport.TestHosts.phone(),
                        "rtp_port", Integer.toString(media.port())), "-recv_timeout", "120000");
    }

    /** Adam's phone dialling a code with {@code scenario}; its SDP points at {@code media}. */
    SippPhone adamDials(String dialled, String scenario, RtpEndpoint media, String... extraVars) {
        Map<String, String> v = vars("user", adamUser, "domain", domain(), "dial", dialled,
                "rtp_ip", io.callsup.testsupport.TestHosts.phone(), "rtp_port", Integer.toString(media.port()));
        v.putAll(vars(extraVars));
        return SippPhone.start("adam", scenario, SippPhone.freshPort(), v, "-au", adamUser, "-ap", SIP_PASSWORD,
                "-recv_timeout", "120000");
    }

    /**
     * John (744) answering an outside client, both with tone endpoints and media connected: the call
     * most tests supervise. Closing it hangs up both phones.
     */
    static final class JohnsCall implements AutoCloseable {
        final RtpEndpoint john;
        final RtpEndpoint client;
        final SippPhone johnPhone;
        final SippPhone clientPhone;
        final ActiveCall call;

        private JohnsCall(RtpEndpoint john, RtpEndpoint client, SippPhone johnPhone, SippPhone clientPhone,
                          ActiveCall call) {
            this.john = john;
            this.client = client;
            this.johnPhone = johnPhone;
            this.clientPhone = clientPhone;
            this.call = call;
        }

        @Override
        public void close() {
            clientPhone.close();
            johnPhone.close();
            client.close();
            john.close();
        }
    }

    /**
     * Puts John on a call with a client who hangs up after {@code hold}, or never (null: the client
     * waits for the network's BYE). {@code johnScenario} and its variables choose John's phone.
     */
    JohnsCall johnsCall(Duration hold, String johnScenario, String... johnVars) throws Exception {
        RtpEndpoint johnEp = new RtpEndpoint("John", JOHN_HZ);
        RtpEndpoint clientEp = new RtpEndpoint("client", CLIENT_HZ);
        SippPhone johnPhone = null;
        SippPhone clientPhone = null;
        try {
            johnPhone = answeringPhone("john", johnUser, johnEp, johnScenario, johnVars);
            clientPhone = hold == null ? clientCallsUntilBye("744", clientEp) : clientCalls("744", clientEp, hold);
            connect(johnEp, johnPhone);
            connect(clientEp, clientPhone);
            return new JohnsCall(johnEp, clientEp, johnPhone, clientPhone, awaitCallOf(john));
        } catch (Exception | AssertionError e) {
            if (clientPhone != null) {
                clientPhone.close();
            }
            if (johnPhone != null) {
                johnPhone.close();
            }
            clientEp.close();
            johnEp.close();
            throw e;
        }
    }

    JohnsCall johnsCall(Duration hold) throws Exception {
        return johnsCall(hold, "uas_answer.xml");
    }

    /** Connects an endpoint to where the phone's received SDP says its media must go. */
    static void connect(RtpEndpoint endpoint, SippPhone phone) throws InterruptedException {
        var sdp = phone.awaitReceivedSdp(SIP_WAIT);
        endpoint.connect(sdp, sdp.pt("PCMU"));
    }

    static Optional<ActiveCall> callOf(long accountId) {
        return QuarkusTransaction.requiringNew().call(() -> ActiveCall.ofAccount(accountId).stream()
                .filter(c -> !c.supervisionLeg).findFirst());
    }

    static ActiveCall awaitCallOf(long accountId) throws InterruptedException {
        return await("a call of account " + accountId, () -> callOf(accountId).orElse(null));
    }

    static Optional<SupervisionSession> sessionOf(long supervisorId) {
        return QuarkusTransaction.requiringNew().call(() -> SupervisionSession.<SupervisionSession>find(
                "supervisorAccountId = ?1 order by startedAt desc", supervisorId).firstResultOptional());
    }

    static SupervisionSession awaitMode(long supervisorId, SupervisionMode mode) throws InterruptedException {
        return await("session of " + supervisorId + " in " + mode, () -> sessionOf(supervisorId)
                .filter(s -> s.mode == mode && s.state == io.callsup.model.SessionState.ACTIVE).orElse(null));
    }

    static SupervisionSession awaitEnded(long supervisorId) throws InterruptedException {
        return await("session of " + supervisorId + " ended", () -> sessionOf(supervisorId)
                .filter(s -> !s.live()).orElse(null));
    }

    static List<ModeChange> history(SupervisionSession s) {
        return QuarkusTransaction.requiringNew().call(() -> ModeChange.history(s.id));
    }

    /** A session's audit rows in the outbox, oldest first, as "short-type reason" (e.g. "denied cancelled"). */
    static List<String> auditOf(UUID sessionId) {
        return QuarkusTransaction.requiringNew().call(() -> OutboxEvent.<OutboxEvent>list(
                "sessionId = ?1 order by id", sessionId).stream().map(e -> {
                    String type = e.eventType.substring(e.eventType.lastIndexOf('.') + 1);
                    String reason;
                    try {
                        reason = new com.fasterxml.jackson.databind.ObjectMapper().readTree(e.payload).path("data")
                                .path("reason").asText("");
                    } catch (java.io.IOException bad) {
                        throw new AssertionError("unparsable audit payload " + e.payload, bad);
                    }
                    return reason.isEmpty() ? type : type + " " + reason;
                }).toList());
    }

    /**
     * An ex-supervisor's address gets nothing: after {@code settle} (packets already in flight), the
     * endpoint must receive zero RTP packets during {@code window}.
     */
    static void assertSilent(RtpEndpoint ep, Duration settle, Duration window, String why) throws InterruptedException {
        Thread.sleep(settle.toMillis());
        int mark = ep.mark();
        Thread.sleep(window.toMillis());
        assertThat(ep.packetsSince(mark)).as(why + ": " + ep + " must receive no RTP in the " + window.toMillis()
                + " ms after a " + settle.toMillis() + " ms settle").isEmpty();
    }

    static SupervisionSession session(java.util.UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> SupervisionSession.<SupervisionSession>findById(id));
    }

    /** The session's audit rows in the outbox, oldest first, as "started", "ended", ... */
    static List<String> auditTypes(java.util.UUID sessionId) {
        return auditOf(sessionId).stream().map(row -> row.split(" ")[0]).toList();
    }

    /** {@code data.reason} of each of the session's {@code ended} audit rows. */
    static List<String> endedReasons(java.util.UUID sessionId) {
        return auditOf(sessionId).stream().filter(row -> row.startsWith("ended"))
                .map(row -> row.contains(" ") ? row.substring(row.indexOf(' ') + 1) : null).toList();
    }

    /** RTP packets (any payload type) the endpoint receives during {@code window}, counted from now. */
    static int packetsDuring(RtpEndpoint ep, Duration window) throws InterruptedException {
        int mark = ep.mark();
        Thread.sleep(window.toMillis());
        return ep.packetsSince(mark).size();
    }

    static <T> T await(String what, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + SIP_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
