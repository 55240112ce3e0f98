package io.callsup.kamailio;

import io.callsup.calls.ActiveCall;
import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static io.callsup.testsupport.sip.SippPhone.vars;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A restart of Kamailio - killed, then stopped cleanly - in the middle of a supervised call ends
 * nothing: the dialogs come back from PostgreSQL with their vars, the supervisor's hold re-INVITE is
 * still answered with the service's SDP, the media never stops, the phones' own BYEs still cross
 * Kamailio, and the service still gets the dialog's end event. The reconciler, meanwhile, takes
 * neither the dead Kamailio nor the fresh one for "every call ended".
 */
@QuarkusTest
class KamailioRestartTest {

    private static final String SIP_PASSWORD = "sip-secret-pw";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final double JOHN_HZ = 700;
    private static final double CLIENT_HZ = 1100;
    private static final double ADAM_HZ = 1700;

    @Inject
    DialogReconciler reconciler;

    @Inject
    KamailioRpc kamailio;

    @Test
    void aSupervisedCallSurvivesACrashAndACleanRestartOfKamailio() throws Exception {
        TestApi.Tenant abc = TestApi.newTenant("ABC", true);
        String johnUser = TestApi.unique("john");
        String adamUser = TestApi.unique("adam");
        long john = account(abc, "744", "John", johnUser);
        long adam = account(abc, "745", "Adam", adamUser);
        long support = TestApi.newHuntGroup(abc, "Support");
        TestApi.putMember(abc, support, john, false);
        TestApi.putMember(abc, support, adam, true);

        try (RtpEndpoint johnEp = new RtpEndpoint("John", JOHN_HZ);
             RtpEndpoint clientEp = new RtpEndpoint("client", CLIENT_HZ);
             RtpEndpoint adamEp = new RtpEndpoint("Adam", ADAM_HZ);
             // John answers and hangs up himself 40 s later: that BYE must cross the restarted Kamailio.
             SippPhone johnPhone = registeredPhone(abc, johnUser, "uas_answer_then_bye.xml",
                     vars("rtp_ip", KamailioResource.HOST, "rtp_port", Integer.toString(johnEp.port()),
                             "ring_ms", "0", "hold_ms", "40000"));
             SippPhone clientPhone = SippPhone.start("client", "uac_call_wait_bye.xml", KamailioResource.trunkPort(),
                     vars("user", "client", "domain", abc.sipDomain(), "target", "744", "rtp_ip",
                             KamailioResource.HOST, "rtp_port", Integer.toString(clientEp.port())),
                     "-recv_timeout", "120000")) {
            connect(johnEp, johnPhone);
            connect(clientEp, clientPhone);
            ActiveCall call = await("John's call", () -> QuarkusTransaction.requiringNew().call(() ->
                    ActiveCall.ofAccount(john).stream().filter(c -> !c.supervisionLeg).findFirst().orElse(null)));

            // Adam listens in (*90 = spy); his hold and resume re-INVITEs come 20 s later, after
            // both restarts, and are answered by the MC socket from the persisted dialog var cs_sdp.
            try (SippPhone adamPhone = SippPhone.start("adam", "supervisor_hold.xml", SippPhone.freshPort(),
                    vars("user", adamUser, "domain", abc.sipDomain(), "dial", "*90744", "rtp_ip",
                            KamailioResource.HOST, "rtp_port", Integer.toString(adamEp.port()),
                            "pause1_ms", "20000", "pause2_ms", "500", "pause3_ms", "500"),
                    "-au", adamUser, "-ap", SIP_PASSWORD, "-recv_timeout", "120000")) {
                connect(adamEp, adamPhone);
                SupervisionSession session = await("Adam spying", () -> sessionOf(adam)
                        .filter(s -> s.state == SessionState.ACTIVE && s.mode == SupervisionMode.SPY
                                && s.supervisorCallId != null).orElse(null));
                String supLeg = session.supervisorCallId;
                awaitConfirmed(call.callId, supLeg);
                Map<String, Map<String, String>> before = dialogVars(call.callId, supLeg);
                expectRow("spy, before any restart", spy(johnEp, clientEp, adamEp));

                // 1. Crash. The reconciler cannot read dlg.list and must correct nothing.
                KamailioResource.crash();
                assertThatThrownBy(reconciler::reconcile).isInstanceOf(KamailioRpcException.class);
                assertThat(tracked(call.callId)).isTrue();
                assertThat(sessionOf(adam).orElseThrow().state).isEqualTo(SessionState.ACTIVE);

                KamailioResource.startInstance();
                awaitConfirmed(call.callId, supLeg);
                // Same dialogs, same vars (cs_sup, cs_cu, ..., the supervisor leg's cs_sdp).
                assertThat(dialogVars(call.callId, supLeg)).isEqualTo(before);
                assertThat(before.get(supLeg)).containsEntry("cs_sup", "1");
                assertThat(before.get(supLeg).get("cs_sdp")).startsWith("v=0");
                assertThat(before.get(call.callId)).containsEntry("cs_sup", "0").containsEntry("cs_eu", "744");
                // A fresh Kamailio: whatever its dlg.list says, nothing is ended.
                reconciler.reconcile();
                reconciler.reconcile();
                assertThat(tracked(call.callId)).isTrue();
                assertThat(sessionOf(adam).orElseThrow().state).isEqualTo(SessionState.ACTIVE);
                expectRow("spy, after the crash", spy(johnEp, clientEp, adamEp));

                // 2. Clean stop and start.
                KamailioResource.stopInstance();
                KamailioResource.startInstance();
                awaitConfirmed(call.callId, supLeg);
                assertThat(dialogVars(call.callId, supLeg)).isEqualTo(before);

                // Adam's hold/resume (the scenario checks recvonly / sendrecv in the answers),
                // then his BYE: the session ends because he hung up, nothing else.
                assertThat(adamPhone.awaitExit(Duration.ofSeconds(45))).as(adamPhone.trace()).isZero();
                SupervisionSession ended = await("Adam's session ended", () -> sessionOf(adam)
                        .filter(s -> !s.live()).orElse(null));
                assertThat(ended.id).isEqualTo(session.id);
                assertThat(ended.endReason).isEqualTo(EndReason.SUPERVISOR_HUNG_UP);
            }
            expectRow("John and the client, Adam gone", row(johnEp, hz(CLIENT_HZ), clientEp, hz(JOHN_HZ)));

            // John hangs up: the BYE reaches the client through Kamailio (both scenarios end
            // cleanly only then), and the dialog's end event reaches the service at once (the
            // reconciler would need two passes 30 s apart).
            assertThat(johnPhone.awaitExit(Duration.ofSeconds(60))).as(johnPhone.trace()).isZero();
            assertThat(clientPhone.awaitExit(WAIT)).as(clientPhone.trace()).isZero();
            await("the end of John's call in the registry", () -> tracked(call.callId) ? null : true);
            assertThat(kamailio.confirmedDialogs()).noneMatch(d -> d.callId().equals(call.callId));
        }
    }

    private static Map<RtpEndpoint, double[]> spy(RtpEndpoint john, RtpEndpoint client, RtpEndpoint adam) {
        return row(john, hz(CLIENT_HZ), client, hz(JOHN_HZ), adam, hz(JOHN_HZ, CLIENT_HZ));
    }

    private void awaitConfirmed(String... callIds) throws InterruptedException {
        await("dialogs " + String.join(", ", callIds) + " confirmed in dlg.list", () -> {
            var ids = kamailio.confirmedDialogs().stream().map(KamailioRpc.DialogInfo::callId).toList();
            return ids.containsAll(java.util.List.of(callIds)) ? true : null;
        });
    }

    private Map<String, Map<String, String>> dialogVars(String... callIds) {
        Map<String, Map<String, String>> vars = new java.util.TreeMap<>();
        for (KamailioRpc.DialogInfo d : kamailio.confirmedDialogs()) {
            if (java.util.List.of(callIds).contains(d.callId())) {
                vars.put(d.callId(), new java.util.TreeMap<>(d.variables()));
            }
        }
        return vars;
    }

    private static long account(TestApi.Tenant tenant, String extension, String name, String sipUser) {
        return as(tenant).body(Map.of("extension", extension, "displayName", name, "sipUsername", sipUser,
                        "sipPassword", SIP_PASSWORD))
                .post("/api/v1/customer/accounts").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    /** REGISTERs, then runs {@code scenario} on the registered port. */
    private static SippPhone registeredPhone(TestApi.Tenant tenant, String sipUser, String scenario,
                                             Map<String, String> v) throws InterruptedException {
        int port = SippPhone.freshPort();
        SippPhone reg = SippPhone.start(sipUser + "-register", "register.xml", port,
                vars("user", sipUser, "domain", tenant.sipDomain(), "expires", "3600"), "-au", sipUser, "-ap",
                SIP_PASSWORD);
        assertThat(reg.awaitExit(WAIT)).as(reg.trace()).isZero();
        return SippPhone.start(sipUser, scenario, port, v, "-recv_timeout", "120000");
    }

    private static void connect(RtpEndpoint endpoint, SippPhone phone) throws InterruptedException {
        var sdp = phone.awaitReceivedSdp(WAIT);
        endpoint.connect(sdp, sdp.pt("PCMU"));
    }

    private static boolean tracked(String callId) {
        return QuarkusTransaction.requiringNew().call(() -> ActiveCall.findByIdOptional(callId)).isPresent();
    }

    private static Optional<SupervisionSession> sessionOf(long supervisorId) {
        return QuarkusTransaction.requiringNew().call(() -> SupervisionSession.<SupervisionSession>find(
                "supervisorAccountId = ?1 order by startedAt desc", supervisorId).firstResultOptional());
    }

    private static <T> T await(String what, Supplier<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
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
