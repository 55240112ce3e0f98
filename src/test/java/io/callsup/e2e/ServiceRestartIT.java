package io.callsup.e2e;

import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.Stack;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;

import static io.callsup.e2e.StackDb.await;
import static io.callsup.e2e.StackDb.callsOf;
import static io.callsup.e2e.StackDb.sessionOf;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static io.callsup.testsupport.sip.SippPhone.vars;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service process is killed while Adam supervises John's call, and a call elsewhere ends
 * while it is down. After the restart the session is taken up from PostgreSQL, the registry is
 * corrected from Kamailio's dlg.list, and Adam's next digits still switch modes.
 */
class ServiceRestartIT {

    @Test
    void anActiveSupervisionSurvivesAServiceCrash() throws Exception {
        try (Stack stack = new Stack().start(Path.of("target", "restart-it", "service.log"));
             Connection db = stack.jdbc()) {
            Pbx pbx = new Pbx(true);
            String maryUser = TestApi.unique("mary");
            String peteUser = TestApi.unique("pete");
            long mary = pbx.account("746", "Mary", maryUser);
            pbx.account("747", "Pete", peteUser);
            TestApi.putMember(pbx.abc, pbx.support, mary, false);

            try (RtpEndpoint john = new RtpEndpoint("John", Pbx.JOHN_HZ);
                 RtpEndpoint client = new RtpEndpoint("client", Pbx.CLIENT_HZ);
                 RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
                 RtpEndpoint maryEp = new RtpEndpoint("Mary", 500);
                 RtpEndpoint peteEp = new RtpEndpoint("Pete", 2300);
                 SippPhone johnPhone = pbx.answeringPhone("john", pbx.johnUser, john);
                 SippPhone clientPhone = pbx.clientCalls("744", client, Duration.ofSeconds(120));
                 SippPhone maryPhone = pbx.answeringPhone("mary", maryUser, maryEp);
                 SippPhone petePhone = SippPhone.start("pete", "uac_call.xml", SippPhone.freshPort(),
                         vars("user", peteUser, "domain", pbx.domain(), "target", "746", "rtp_ip", KamailioResource.HOST,
                                 "rtp_port", Integer.toString(peteEp.port()), "hold_ms", "6000"),
                         "-au", peteUser, "-ap", Pbx.SIP_PASSWORD)) {
                Pbx.connect(john, johnPhone);
                Pbx.connect(client, clientPhone);
                await(() -> callsOf(db, pbx.john) == 1, "John's call registered");
                await(() -> callsOf(db, mary) == 1, "Mary's call registered");

                try (SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_wait_bye.xml", adam)) {
                    Pbx.connect(adam, adamPhone);
                    await(() -> String.valueOf(sessionOf(db, pbx.adam)).startsWith("ACTIVE/SPY/"), "Adam in spy");
                    expectRow("spy, before the crash", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ),
                            adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));

                    stack.service().kill();
                    // Pete hangs up while nobody listens to Kamailio's dialog events.
                    assertThat(petePhone.awaitExit(Duration.ofSeconds(30))).as(petePhone.trace()).isZero();
                    assertThat(maryPhone.awaitExit(Pbx.SIP_WAIT)).as(maryPhone.trace()).isZero();
                    assertThat(callsOf(db, mary)).as("the undelivered event leaves a stale registry entry").isEqualTo(1);
                    // Kamailio answers codes itself while the service is away.
                    SippPhone meanwhile = SippPhone.start("adam-while-down", "uac_expect.xml", SippPhone.freshPort(),
                            vars("user", pbx.adamUser, "domain", pbx.domain(), "dial", "*91744", "tdomain", pbx.domain(),
                                    "expect", "503", "rtp_ip", KamailioResource.HOST, "rtp_port", "9"),
                            "-au", pbx.adamUser, "-ap", Pbx.SIP_PASSWORD);
                    assertThat(meanwhile.awaitExit(Pbx.SIP_WAIT)).as(meanwhile.trace()).isZero();
                    assertThat(meanwhile.finalResponse()).get()
                            .satisfies(r -> assertThat(r).containsExactly("503", "Supervision service unavailable"));

                    stack.service().start();
                    // Either Kamailio's retry of the end event or the dlg.list reconciliation removes it;
                    // the retry must at least have been tried (it is what keeps the gap short).
                    await(() -> callsOf(db, mary) == 0, "the stale call removed");
                    assertThat(Files.readString(KamailioResource.log()))
                            .contains("event post to /internal/kamailio/v1/dialog-events failed")
                            .contains("will retry");
                    assertThat(callsOf(db, pbx.john)).isEqualTo(1);

                    adam.sendDigit('1', 200);
                    await(() -> String.valueOf(sessionOf(db, pbx.adam)).startsWith("ACTIVE/WHISPER/"), "whisper after the restart");
                    Thread.sleep(400);
                    expectRow("whisper, after the restart", row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ),
                            client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                    adam.sendDigit('2', 200);
                    await(() -> String.valueOf(sessionOf(db, pbx.adam)).startsWith("ACTIVE/BARGE/"), "barge after the restart");
                    Thread.sleep(400);
                    expectRow("barge, after the restart", row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ),
                            client, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                }
            }
        }
    }
}
