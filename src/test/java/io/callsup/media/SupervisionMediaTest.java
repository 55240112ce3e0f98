package io.callsup.media;

import static io.callsup.model.SupervisionMode.BARGE;
import static io.callsup.model.SupervisionMode.SPY;
import static io.callsup.model.SupervisionMode.WHISPER;
import static io.callsup.testsupport.rtp.TestCall.AGENT_HZ;
import static io.callsup.testsupport.rtp.TestCall.CLIENT_HZ;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.callsup.model.SupervisionMode;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.TestCall;

/** Tone matrices of issue 3 against the real rtpengine. */
class SupervisionMediaTest extends MediaTestBase {

    static Map<RtpEndpoint, double[]> row(TestCall c, double[] agent, double[] client, Object... sups) {
        Map<RtpEndpoint, double[]> m = new LinkedHashMap<>();
        m.put(c.agent, agent);
        m.put(c.client, client);
        for (int i = 0; i < sups.length; i += 2) {
            m.put(((Sup) sups[i]).ep, (double[]) sups[i + 1]);
        }
        return m;
    }

    static double[] heardBy(TestCall c, Sup s, SupervisionMode mode, boolean agentSide) {
        boolean audible = agentSide ? mode != SPY : mode == BARGE;
        double other = agentSide ? CLIENT_HZ : AGENT_HZ;
        return audible ? hz(other, s.ep.toneHz()) : hz(other);
    }

    @Test
    void toneMatrixDialIn() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU")) {
            expectRow("before joining", row(c, hz(CLIENT_HZ), hz(AGENT_HZ)));
            try (Sup s = dialIn(c, SUP1_HZ, "PCMU", SPY)) {
                assertThat(MediaPlan.hasTelephoneEvent(s.answerSdp)).as(s.answerSdp).isTrue();
                Map<RtpEndpoint, double[]> leftRow = row(c, hz(CLIENT_HZ), hz(AGENT_HZ), s, hz());
                expectRow("spy", row(c, hz(CLIENT_HZ), hz(AGENT_HZ), s, hz(AGENT_HZ, CLIENT_HZ)));
                switchTo(s, WHISPER);
                expectRow("whisper", row(c, hz(CLIENT_HZ, SUP1_HZ), hz(AGENT_HZ), s, hz(AGENT_HZ, CLIENT_HZ)));
                switchTo(s, BARGE);
                expectRow("barge", row(c, hz(CLIENT_HZ, SUP1_HZ), hz(AGENT_HZ, SUP1_HZ), s, hz(AGENT_HZ, CLIENT_HZ)));
                plan.leave(s.session).await().atMost(WAIT);
                expectRow("after leaving", leftRow);
                assertThat(s.ep.capture(SKIP, COUNT).audioPackets()).as("supervisor gets nothing after leaving")
                        .isZero();
                CallView v = view(c.callId);
                assertThat(v.armed(c.agentTag, c.clientTag)).as("disarmed").isFalse();
                assertThat(v.supervisors(c.agentTag, c.clientTag)).isEmpty();
            }
        }
    }

    @Test
    void switchingPathOriginated() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Sup s = originate(c, SUP1_HZ, "PCMU", SPY)) {
            assertThat(MediaPlan.hasTelephoneEvent(s.answerSdp)).isTrue();
            expectRow("spy", row(c, hz(CLIENT_HZ), hz(AGENT_HZ), s, hz(AGENT_HZ, CLIENT_HZ)));
            for (SupervisionMode m : List.of(WHISPER, BARGE, SPY, BARGE, WHISPER, SPY)) {
                switchTo(s, m);
                expectRow("-> " + m, row(c, heardBy(c, s, m, true), heardBy(c, s, m, false), s,
                        hz(AGENT_HZ, CLIENT_HZ)));
            }
            plan.leave(s.session).await().atMost(WAIT);
            expectRow("after leaving", row(c, hz(CLIENT_HZ), hz(AGENT_HZ)));
        }
    }

    @Test
    void pcmaSupervisorOnPcmuCall() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Sup s = dialIn(c, SUP1_HZ, "PCMA", WHISPER)) {
            assertThat(s.answerSdp).contains("PCMA/8000").doesNotContain("PCMU/8000");
            assertThat(MediaPlan.hasTelephoneEvent(s.answerSdp)).isTrue();
            expectRow("whisper (PCMA sup)", row(c, hz(CLIENT_HZ, SUP1_HZ), hz(AGENT_HZ), s, hz(AGENT_HZ, CLIENT_HZ)));
            switchTo(s, BARGE);
            expectRow("barge (PCMA sup)", row(c, hz(CLIENT_HZ, SUP1_HZ), hz(AGENT_HZ, SUP1_HZ), s,
                    hz(AGENT_HZ, CLIENT_HZ)));
            switchTo(s, SPY);
            expectRow("spy (PCMA sup)", row(c, hz(CLIENT_HZ), hz(AGENT_HZ), s, hz(AGENT_HZ, CLIENT_HZ)));
            plan.leave(s.session).await().atMost(WAIT);
            expectRow("after leaving", row(c, hz(CLIENT_HZ), hz(AGENT_HZ)));
        }
    }

    @Test
    void twoSupervisorsInDifferentModes() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Sup s1 = dialIn(c, SUP1_HZ, "PCMU", SPY);
                Sup s2 = originate(c, SUP2_HZ, "PCMU", WHISPER)) {
            double[] ac = hz(AGENT_HZ, CLIENT_HZ);
            expectRow("S1 spy, S2 whisper", row(c, hz(CLIENT_HZ, SUP2_HZ), hz(AGENT_HZ), s1, ac, s2, ac));
            switchTo(s2, BARGE);
            expectRow("S1 spy, S2 barge", row(c, hz(CLIENT_HZ, SUP2_HZ), hz(AGENT_HZ, SUP2_HZ), s1, ac, s2, ac));
            switchTo(s1, WHISPER);
            expectRow("S1 whisper, S2 barge", row(c, hz(CLIENT_HZ, SUP1_HZ, SUP2_HZ), hz(AGENT_HZ, SUP2_HZ), s1, ac,
                    s2, ac));
            switchTo(s1, BARGE);
            switchTo(s2, SPY);
            expectRow("S1 barge, S2 spy", row(c, hz(CLIENT_HZ, SUP1_HZ), hz(AGENT_HZ, SUP1_HZ), s1, ac, s2, ac));
            plan.leave(s1.session).await().atMost(WAIT);
            assertThat(view(c.callId).armed(c.agentTag, c.clientTag)).as("still armed for S2").isTrue();
            switchTo(s2, WHISPER);
            expectRow("S1 gone, S2 whisper", row(c, hz(CLIENT_HZ, SUP2_HZ), hz(AGENT_HZ), s2, ac));
            plan.leave(s2.session).await().atMost(WAIT);
            expectRow("both gone", row(c, hz(CLIENT_HZ), hz(AGENT_HZ)));
            assertThat(view(c.callId).armed(c.agentTag, c.clientTag)).as("disarmed after last").isFalse();
        }
    }
}
