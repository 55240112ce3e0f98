package io.callsup.e2e;

import io.callsup.testsupport.Stack;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's main command (bin/demo): the seed's story on the whole stack, with a transcript
 * of each step, who hears whom as measured from the audio, and the SIP answers. Every step is an
 * assertion, so the demo fails loudly when the product does not do what the transcript says.
 * Not part of bin/test (its name matches no test pattern); SeedStoryTest covers the same ground.
 */
class SeedStoryDemo {

    private final List<String> transcript = new ArrayList<>();

    @Test
    void seedStory() throws Exception {
        Path out = Path.of("target", "demo");
        try (Stack stack = new Stack().start(out.resolve("service.log")); Connection db = stack.jdbc()) {
            say("Stack up: PostgreSQL, Artemis, rtpengine, Kamailio and the packaged service (port "
                    + stack.service().port() + ").");
            Pbx pbx = new Pbx(true);
            say("ABC company loaded: John 744 (agent) and Adam 745 (manager, 'supervision allowed') in hunt group"
                    + " Support; call supervision switched on by the operator.");
            String maryUser = TestApi.unique("mary");
            pbx.account("746", "Mary", maryUser);

            try (RtpEndpoint john = new RtpEndpoint("John", Pbx.JOHN_HZ);
                 RtpEndpoint client = new RtpEndpoint("client", Pbx.CLIENT_HZ);
                 RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ);
                 SippPhone johnPhone = pbx.answeringPhone("john", pbx.johnUser, john);
                 SippPhone clientPhone = pbx.clientCalls("744", client, Duration.ofSeconds(20))) {
                Pbx.connect(john, johnPhone);
                Pbx.connect(client, clientPhone);
                step("A client calls John (744): " + clientPhone.inviteAnswer().orElse("?"),
                        expectRow("call", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ), adam, hz())));

                SippPhone mary = SippPhone.start("mary-denied", "uac_expect.xml", SippPhone.freshPort(),
                        SippPhone.vars("user", maryUser, "domain", pbx.domain(), "dial", "*90744", "tdomain",
                                pbx.domain(), "expect", "403", "rtp_ip", "127.0.0.1", "rtp_port", "9"),
                        "-au", maryUser, "-ap", Pbx.SIP_PASSWORD);
                assertThat(mary.awaitExit(Pbx.SIP_WAIT)).as(mary.trace()).isZero();
                say("Mary (746, not in Support) dials *90744: " + mary.finalResponse().map(r -> r[0] + " " + r[1])
                        .orElseThrow());

                try (SippPhone adamPhone = pbx.adamDials("*90744", "supervisor_wait_bye.xml", adam)) {
                    Pbx.connect(adam, adamPhone);
                    awaitMode(db, pbx.adam, "SPY");
                    step("Adam dials *90744: " + adamPhone.inviteAnswer().orElse("?") + " -> spy",
                            expectRow("spy", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ),
                                    adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ))));
                    adam.sendDigit('1', 200);
                    awaitMode(db, pbx.adam, "WHISPER");
                    Thread.sleep(400);
                    step("Adam presses 1 (RFC 4733) -> whisper",
                            expectRow("whisper", row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ), client, hz(Pbx.JOHN_HZ),
                                    adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ))));
                    adam.sendDigit('2', 200);
                    awaitMode(db, pbx.adam, "BARGE");
                    Thread.sleep(400);
                    step("Adam presses 2 -> barge-in",
                            expectRow("barge", row(john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ),
                                    client, hz(Pbx.JOHN_HZ, Pbx.ADAM_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ))));
                    adam.sendDigit('0', 200);
                    awaitMode(db, pbx.adam, "SPY");
                    Thread.sleep(400);
                    step("Adam presses 0 -> spy again",
                            expectRow("spy again", row(john, hz(Pbx.CLIENT_HZ), client, hz(Pbx.JOHN_HZ),
                                    adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ))));

                    assertThat(clientPhone.awaitExit(Duration.ofSeconds(40))).as(clientPhone.trace()).isZero();
                    assertThat(johnPhone.awaitExit(Pbx.SIP_WAIT)).as(johnPhone.trace()).isZero();
                    assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
                    String reason = adamPhone.log().lines().filter(l -> l.contains("BYE Reason:")).findFirst()
                            .orElseThrow().replaceFirst(".*BYE Reason: *", "");
                    say("The client hangs up: John's phone gets BYE, Adam's phone gets BYE with " + reason);
                    awaitMode(db, pbx.adam, null);
                    say("Session ended (" + endReason(db, pbx.adam) + "); all phones released.");
                }
            }
            say("DEMO PASSED: every step held.");
        } finally {
            Files.createDirectories(out);
            Files.write(out.resolve("transcript.txt"), transcript);
        }
    }

    private void say(String line) {
        transcript.add(line);
        System.out.println("DEMO | " + line);
    }

    private void step(String title, List<String> heard) {
        say(title);
        heard.forEach(h -> say("       " + h));
    }

    /** Waits until the newest session of the supervisor is active in {@code mode}, or ended when null. */
    static void awaitMode(Connection db, long supervisor, String mode) throws Exception {
        String prefix = mode == null ? "ENDED/" : "ACTIVE/" + mode + "/";
        StackDb.await(() -> String.valueOf(StackDb.sessionOf(db, supervisor)).startsWith(prefix),
                "supervisor " + supervisor + " " + prefix);
    }

    private static String endReason(Connection db, long supervisor) throws Exception {
        return StackDb.sessionOf(db, supervisor).split("/")[2];
    }
}
