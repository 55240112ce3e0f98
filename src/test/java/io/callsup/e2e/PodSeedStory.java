package io.callsup.e2e;

import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.TestPorts;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;

import static io.callsup.e2e.SeedStoryDemo.awaitMode;
import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's story against the images and manifests, not against programs this JVM starts:
 * bin/test-kube renders k8s/overlays/podman-lab, runs it with {@code podman kube play} and runs
 * this class with the pods' addresses (system properties {@code callsup.test.pod.*}). The same
 * SIPp phones and tone endpoints as {@link SeedStoryTest}: who hears whom at each step, a DTMF
 * switch through rtpengine's DTMF log into the service pod, and an API join (the service pod has
 * the Kamailio pod send the INVITE from its media-controller socket). The service is reached only
 * by its public API and its PostgreSQL, as an operator would.
 * Not part of bin/test (its name matches no test pattern).
 */
class PodSeedStory {

    private static String prop(String key) {
        String v = System.getProperty("callsup.test.pod." + key);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("callsup.test.pod." + key + " is not set: run bin/test-kube");
        }
        return v;
    }

    @BeforeAll
    static void pods() {
        RestAssured.baseURI = "http://" + prop("api-host");
        RestAssured.port = Integer.parseInt(prop("api-port"));
        TestPorts.publish("kamailio-sip", Integer.parseInt(prop("sip-port")));
        TestPorts.publish("kamailio-trunk", Integer.parseInt(prop("trunk-port")));
        assertThat(System.getProperty("callsup.test.kamailio-host")).as("phones must send to the Kamailio pod")
                .isNotBlank();
    }

    private static Connection db() throws Exception {
        return DriverManager.getConnection(prop("db-url"), prop("db-user"), prop("db-password"));
    }

    @Test
    void seedStoryWithDtmfSwitches() throws Exception {
        try (Connection db = db()) {
            Pbx pbx = new Pbx(true);
            try (RtpEndpoint john = new RtpEndpoint("John", Pbx.JOHN_HZ);
                 RtpEndpoint client = new RtpEndpoint("client", Pbx.CLIENT_HZ);
                 RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
                 SippPhone johnPhone = pbx.answeringPhone("john", pbx.johnUser, john);
                 // Long enough for every step below on a loaded machine; the client hangs up then.
                 SippPhone clientPhone = pbx.clientCalls("744", client, Duration.ofSeconds(30))) {
                Pbx.connect(john, johnPhone);
                Pbx.connect(client, clientPhone);
                expectRow("call", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ), adam, hz()));

                try (SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_wait_bye.xml", adam)) {
                    Pbx.connect(adam, adamPhone);
                    awaitMode(db, pbx.adam, "SPY");
                    expectRow("spy: Adam hears both, nobody hears Adam", row(john, hz(Pbx.CLIENT_HZ),
                            client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                    // RFC 4733: rtpengine pod -> DTMF log Service address -> service pod.
                    adam.sendDigit('1', 200);
                    awaitMode(db, pbx.adam, "WHISPER");
                    Thread.sleep(400); // the keypress is briefly audible in the new mix (rtpengine.md)
                    expectRow("whisper: John hears Adam, the client does not", row(john,
                            hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                    adam.sendDigit('2', 200);
                    awaitMode(db, pbx.adam, "BARGE");
                    Thread.sleep(400);
                    expectRow("barge: both hear Adam", row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ),
                            client, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

                    assertThat(clientPhone.awaitExit(Duration.ofSeconds(50))).as(clientPhone.trace()).isZero();
                    assertThat(johnPhone.awaitExit(Pbx.SIP_WAIT)).as(johnPhone.trace()).isZero();
                    assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
                    assertThat(adamPhone.log()).contains("BYE Reason:").contains("Supervised call ended");
                    awaitMode(db, pbx.adam, null);
                    // The switches came from the RFC 4733 digits, i.e. through rtpengine's DTMF log.
                    assertThat(StackDb.triggersOf(db, pbx.adam)).containsExactly("CODE", "RFC4733", "RFC4733");
                }
            }
        }
    }

    @Test
    void apiJoin() throws Exception {
        try (Connection db = db()) {
            Pbx pbx = new Pbx(true);
            String crm = CallControlApiTest.credential(pbx, "CUSTOMER", null, "CALL_CONTROL_MODIFY");
            try (RtpEndpoint john = new RtpEndpoint("John", Pbx.JOHN_HZ);
                 RtpEndpoint client = new RtpEndpoint("client", Pbx.CLIENT_HZ);
                 RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
                 SippPhone johnPhone = pbx.answeringPhone("john", pbx.johnUser, john);
                 SippPhone clientPhone = pbx.clientCalls("744", client, Duration.ofSeconds(35));
                 SippPhone adamPhone = pbx.answeringPhone("adam", pbx.adamUser, adam, "uas_originated.xml",
                         "ring_ms", "300", "pause1_ms", "200", "digit1", "5")) {
                Pbx.connect(john, johnPhone);
                Pbx.connect(client, clientPhone);
                String callId = Pbx.await("John's call in the database", () -> {
                    try {
                        return StackDb.callIdOf(db, pbx.john);
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });

                // Without the SIP and MC sockets of the Kamailio pod, Kamailio refuses this
                // INVITE ("No local socket") and the session never leaves RINGING.
                Response joined = CallControlApiTest.join(crm, callId, pbx.adam, "SPY", null, null);
                joined.then().statusCode(202);
                String id = joined.jsonPath().getString("id");
                Pbx.connect(adam, adamPhone);
                CallControlApiTest.awaitSession(crm, id, "ACTIVE", "SPY");
                expectRow("API join, spy: Adam hears both, nobody hears Adam", row(john, hz(Pbx.CLIENT_HZ),
                        client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                CallControlApiTest.patch(crm, id, "BARGE", null).then().statusCode(200);
                expectRow("API barge: both hear Adam", row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ),
                        client, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

                JsonPath left = as(crm, CallControlApiTest.PW).delete("/api/v1/supervision-sessions/{id}", id)
                        .then().statusCode(200).extract().jsonPath();
                assertThat(left.getString("endReason")).isEqualTo("API");
                assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
                expectRow("after leaving", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ), adam, hz()));
                assertThat(CallControlApiTest.session(crm, id).getString("joinedBy")).isEqualTo("APPLICATION");

                assertThat(clientPhone.awaitExit(Duration.ofSeconds(50))).as(clientPhone.trace()).isZero();
                assertThat(johnPhone.awaitExit(Pbx.SIP_WAIT)).as(johnPhone.trace()).isZero();
            }
        }
        assertThat(TestApi.ADMIN_PASSWORD).as("the lab's generated operator password, not the test default")
                .isNotEqualTo("operator-secret-1");
    }
}
