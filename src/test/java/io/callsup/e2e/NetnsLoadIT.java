package io.callsup.e2e;

import io.callsup.testsupport.netns.NetnsLab;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;

/**
 * Issue 15's load run in the test suite: {@link ScaleOutLoad} with 6 calls over both rtpengines of the
 * namespace lab and 8-second CPU windows. It asserts what the run checks (every join ACTIVE/WHISPER,
 * both rtpengines used, tones right on a sample before and after the supervised window, phones and
 * rtpengines alive) and prints the figures; no figure is asserted (bin/bench-scale-out measures them,
 * README "Scaling out"). Unlike the benchmark it leaves this shared JVM's SIPp polling and the
 * replicas' sessions and logging as the other lab tests have them.
 */
class NetnsLoadIT {

    @Test
    void sixCallsOverTwoRtpenginesAllSupervisedStayRightAndArePrinted() throws Exception {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root, iproute2 netns and PostgreSQL 15 binaries");
        String loadBefore = ScaleOutLoad.loadAverage();
        try (NetnsLab lab = new NetnsLab().start(); Connection db = lab.jdbc();
             LabScenario people = new LabScenario(db)) {
            new ScaleOutLoad(db, people).run(6, Duration.ofSeconds(8), 4, loadBefore,
                    "flock /tmp/callsup-e2e.lock ./mvnw -B -ntp verify -Dit.test=NetnsLoadIT -Dtest=none "
                            + "-Dsurefire.failIfNoSpecifiedTests=false   (the benchmark: bin/bench-scale-out)");
        }
    }
}
