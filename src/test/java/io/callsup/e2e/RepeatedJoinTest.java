package io.callsup.e2e;

import io.callsup.media.RtpengineMixer;
import io.callsup.model.EndReason;
import io.callsup.model.SupervisionMode;
import io.callsup.supervision.SupervisionSession;
import io.callsup.supervision.port.MediaMixer;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static io.callsup.testsupport.rtp.ToneMatrix.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many dial-in join/leave cycles on one call. rtpengine never forgets a party, so a mixer that
 * created fresh parties per join grew the call until {@code query} no longer fitted a datagram and
 * the 17th join failed with 503. Slots are re-used now: the call's party count must stay flat.
 */
@QuarkusTest
class RepeatedJoinTest {

    private static final int CYCLES = 20;

    @Inject
    RtpengineMixer mixer;

    @Test
    void twentyJoinLeaveCyclesKeepTheCallFlatAndTheTwentyFirstJoinWhispers() throws Exception {
        Pbx pbx = new Pbx(true);
        try (Pbx.JohnsCall johns = pbx.johnsCall(Duration.ofSeconds(180));
             RtpEndpoint adam = new RtpEndpoint("Adam", Pbx.ADAM_HZ)) {
            String daemon = mixer.daemons().get(0);
            String callId = johns.call.callId;
            Set<UUID> sessions = new HashSet<>();
            int tagsAfterFirst = -1;
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                joinAndLeave(pbx, adam, cycle, sessions);
                List<String> tags = media(daemon, callId).tags();
                System.out.println("cycle " + cycle + ": call has " + tags.size() + " tags " + tags);
                if (cycle == 1) {
                    tagsAfterFirst = tags.size();
                }
                assertThat(media(daemon, callId).supervisorTags()).as("cycle " + cycle
                        + ": parties still labelled callsup-supervisor after the leave").isEmpty();
            }
            assertThat(media(daemon, callId).tags()).as("tags of the call after " + CYCLES
                    + " cycles, against " + tagsAfterFirst + " after the first").hasSize(tagsAfterFirst);

            // Join number 21, in whisper, held long enough to measure who hears whom.
            try (SippPhone adamPhone = pbx.adamDials("*91744", "supervisor_join_bye.xml", adam, "hold_ms", "5000")) {
                Pbx.connect(adam, adamPhone);
                SupervisionSession s = Pbx.awaitMode(pbx.adam, SupervisionMode.WHISPER);
                assertThat(sessions).as("join 21 is a new session").doesNotContain(s.id);
                expectRow("join " + (CYCLES + 1) + ": whisper", row(johns.john, hz(Pbx.CLIENT_HZ, Pbx.ADAM_HZ),
                        johns.client, hz(Pbx.JOHN_HZ), adam, hz(Pbx.JOHN_HZ, Pbx.CLIENT_HZ)));
                assertThat(adamPhone.awaitExit(Pbx.SIP_WAIT)).as(adamPhone.trace()).isZero();
                SupervisionSession ended = awaitEndedSession(pbx, s.id);
                assertThat(ended.endReason).isEqualTo(EndReason.SUPERVISOR_HUNG_UP);
                assertThat(Pbx.auditOf(s.id)).containsExactly("started", "ended supervisor-hung-up");
            }
            assertThat(media(daemon, callId).tags()).as("tags after join 21 left").hasSize(tagsAfterFirst);
            expectRow("after the last leave", row(johns.john, hz(Pbx.CLIENT_HZ), johns.client, hz(Pbx.JOHN_HZ)));
        }
    }

    /** One cycle: Adam dials *91744, is answered (the scenario fails on anything but 200), and hangs up. */
    private static void joinAndLeave(Pbx pbx, RtpEndpoint adam, int cycle, Set<UUID> sessions) throws Exception {
        try (SippPhone phone = pbx.adamDials("*91744", "supervisor_join_bye.xml", adam, "hold_ms", "300")) {
            Pbx.connect(adam, phone);
            assertThat(phone.awaitExit(Pbx.SIP_WAIT)).as("cycle " + cycle + "\n" + phone.trace()).isZero();
        }
        SupervisionSession newest = Pbx.sessionOf(pbx.adam).orElseThrow();
        assertThat(sessions.add(newest.id)).as("cycle " + cycle + " made a new session").isTrue();
        SupervisionSession ended = awaitEndedSession(pbx, newest.id);
        assertThat(ended.endReason).as("cycle " + cycle).isEqualTo(EndReason.SUPERVISOR_HUNG_UP);
        assertThat(ended.activatedAt).as("cycle " + cycle + " was active").isNotNull();
        assertThat(Pbx.history(ended)).as("cycle " + cycle).extracting(c -> c.toMode)
                .containsExactly(SupervisionMode.WHISPER);
        // The ended event is written in the same transaction as ENDED; no waiting for the relay.
        assertThat(Pbx.auditOf(ended.id)).as("cycle " + cycle + " audit")
                .containsExactly("started", "ended supervisor-hung-up");
    }

    private static SupervisionSession awaitEndedSession(Pbx pbx, UUID id) throws InterruptedException {
        return Pbx.await("session " + id + " ended", () -> Pbx.sessionOf(pbx.adam)
                .filter(s -> s.id.equals(id) && !s.live()).orElse(null));
    }

    private MediaMixer.CallMedia media(String daemon, String callId) {
        return mixer.inspect(daemon, callId).orElseThrow(() -> new AssertionError("rtpengine lost call " + callId));
    }
}
