package io.callsup.e2e;

import io.callsup.model.EndReason;
import io.callsup.model.SessionState;
import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.sip.SippPhone.vars;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every way a dialled supervision code is refused gets its documented SIP code and reason, creates
 * no session (a policy refusal), or an ended one (an admitted join refused for its codecs), and
 * leaves the agent's call exactly as it was.
 */
@QuarkusTest
class DenialsTest {

    @Test
    void everyDenialGetsItsSipAnswerAndTheCallIsUntouched() throws Exception {
        Pbx pbx = new Pbx(true);
        String maryUser = TestApi.unique("mary");
        long mary = pbx.account("746", "Mary", maryUser);
        TestApi.Tenant other = TestApi.newTenant("Other", true);
        String bobUser = TestApi.unique("bob");
        as(other).body(Map.of("extension", "100", "displayName", "Bob", "sipUsername", bobUser,
                "sipPassword", Pbx.SIP_PASSWORD)).post("/api/v1/customer/accounts").then().statusCode(201);

        try (RtpEndpoint john = new RtpEndpoint("John", Pbx.JOHN_HZ);
             RtpEndpoint client = new RtpEndpoint("client", Pbx.CLIENT_HZ)) {
            try (SippPhone johnPhone = pbx.answeringPhone("john", pbx.johnUser, john);
                 SippPhone clientPhone = pbx.clientCalls("744", client, Duration.ofSeconds(60))) {
                refuseEverything(pbx, maryUser, mary, other, bobUser, john, client, johnPhone, clientPhone);
            }
        }
    }

    private void refuseEverything(Pbx pbx, String maryUser, long mary, TestApi.Tenant other, String bobUser,
                                  RtpEndpoint john, RtpEndpoint client, SippPhone johnPhone, SippPhone clientPhone)
            throws Exception {
        Pbx.connect(john, johnPhone);
        Pbx.connect(client, clientPhone);
        Pbx.awaitCallOf(pbx.john);

        // Mary shares no hunt group with John.
        expect(pbx.domain(), maryUser, "*90744", pbx.domain(), 403, "No Shared Hunt Group");
        // Adam shares Support with John, but without the flag.
        TestApi.putMember(pbx.abc, pbx.support, pbx.adam, false);
        expect(pbx.domain(), pbx.adamUser, "*90744", pbx.domain(), 403, "Supervision Not Allowed");
        TestApi.putMember(pbx.abc, pbx.support, pbx.adam, true);
        // The operator switched the feature off for ABC.
        setFeature(pbx, false);
        expect(pbx.domain(), pbx.adamUser, "*90744", pbx.domain(), 403, "Call Supervision Disabled");
        setFeature(pbx, true);
        // John cannot supervise his own call.
        expect(pbx.domain(), pbx.johnUser, "*91744", pbx.domain(), 403, "Cannot Supervise Own Call");
        // Another customer's phone: its own domain has no 744, and ABC's domain is closed to it.
        expect(other.sipDomain(), bobUser, "*90744", other.sipDomain(), 404, "Extension Not Found");
        expect(other.sipDomain(), bobUser, "*90744", pbx.domain(), 403, "Forbidden - other domain");
        // Mary is in Support now, but idle.
        TestApi.putMember(pbx.abc, pbx.support, mary, false);
        expect(pbx.domain(), pbx.adamUser, "*90746", pbx.domain(), 480, "Agent Not On A Call");
        // Nobody has extension 999; a prefix without an extension is incomplete.
        expect(pbx.domain(), pbx.adamUser, "*90999", pbx.domain(), 404, "Extension Not Found");
        expect(pbx.domain(), pbx.adamUser, "*90", pbx.domain(), 484,
                "Address Incomplete: the code *90 must be followed by an extension");
        expect(pbx.domain(), pbx.adamUser, "*93744", pbx.domain(), 404, "Unknown Service Code");

        long sessions = QuarkusTransaction.requiringNew().call(() ->
                SupervisionSession.count("customerId", pbx.abc.customerId()));
        assertThat(sessions).as("no session may be left behind by a refusal").isZero();
        Map<RtpEndpoint, double[]> untouched = new LinkedHashMap<>();
        untouched.put(john, hz(Pbx.CLIENT_HZ));
        untouched.put(client, hz(Pbx.JOHN_HZ));
        expectRow("after every refusal, John and the client still hear each other", untouched);

        // Adam is allowed, but his phone offers only codecs the mixer never picks (README, "Codecs").
        expect("uac_expect_g729.xml", pbx.domain(), pbx.adamUser, "*90744", pbx.domain(), 488,
                "No Supported Codec Offered");
        SupervisionSession refused = QuarkusTransaction.requiringNew().call(() ->
                SupervisionSession.<SupervisionSession>find("customerId", pbx.abc.customerId()).singleResult());
        assertThat(refused.state).as("admitted, then refused for its codecs").isEqualTo(SessionState.ENDED);
        assertThat(refused.endReason).isEqualTo(EndReason.NO_COMMON_CODEC);
        expectRow("after the codec refusal, John and the client still hear each other", untouched);
    }

    private static void setFeature(Pbx pbx, boolean enabled) {
        TestApi.admin().body(Map.of("enabled", enabled))
                .put("/api/v1/admin/customers/" + pbx.abc.customerId() + "/supervision").then().statusCode(200);
    }

    /** Dials {@code dialled}@{@code targetDomain} as {@code user} and checks the final response. */
    private static void expect(String domain, String user, String dialled, String targetDomain, int code, String reason)
            throws InterruptedException {
        expect("uac_expect.xml", domain, user, dialled, targetDomain, code, reason);
    }

    private static void expect(String scenario, String domain, String user, String dialled, String targetDomain,
                               int code, String reason) throws InterruptedException {
        SippPhone phone = SippPhone.start("dial-" + dialled.replace("*", "star"), scenario, SippPhone.freshPort(),
                vars("user", user, "domain", domain, "dial", dialled, "tdomain", targetDomain,
                        "expect", Integer.toString(code), "rtp_ip", KamailioResource.HOST, "rtp_port", "9"),
                "-au", user, "-ap", Pbx.SIP_PASSWORD);
        int exit = phone.awaitExit(Pbx.SIP_WAIT);
        assertThat(phone.finalResponse()).as(phone.trace()).isPresent();
        assertThat(phone.finalResponse().get()).as(dialled + " by " + user).containsExactly(Integer.toString(code), reason);
        assertThat(exit).as(phone.trace()).isZero();
    }
}
