package io.callsup.e2e;

import io.callsup.testsupport.ServiceProcess;
import io.callsup.testsupport.netns.NetnsLab;
import io.callsup.testsupport.sip.SippPhone;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Benchmark, not a test (bin/bench-scale-out; the name matches no test pattern): issue 15's load run,
 * {@link ScaleOutLoad}, at {@code bench.calls} (10) calls with {@code bench.window-seconds} (60) per
 * CPU window. Unlike its small run in the suite ({@link NetnsLoadIT}) it sets up this JVM as a load
 * run needs, which would leak into other tests of a shared JVM: SIPp phones poll coarsely (3 phones per
 * call; 1 ms polling costs ~2 % of a core each, SippPhone#coarsePolling), each replica runs in a
 * session of its own so the kernel's autogroups schedule it apart from the harness as a host of its
 * own would be (rtpengine and Kamailio daemonise into theirs), and the replicas log at INFO as in
 * production. The report goes to stdout and target/bench-scale-out/report.md.
 */
class ScaleOutBench {

    @Test
    void bench() throws Exception {
        int n = Integer.getInteger("bench.calls", 10);
        int seconds = Integer.getInteger("bench.window-seconds", 60);
        assertThat(NetnsLab.available()).as("needs root, iproute2 netns and PostgreSQL 15 binaries").isTrue();
        Path out = Path.of("target", "bench-scale-out");
        Files.createDirectories(out);
        SippPhone.coarsePolling();
        ServiceProcess.ownSession();
        String loadBefore = ScaleOutLoad.loadAverage();
        // Phones outlive set-up, both windows and the joins with room to spare; the run closes them.
        Duration hold = Duration.ofSeconds(2L * seconds + 20L * n + 300);
        try (NetnsLab lab = new NetnsLab().withService("quarkus.log.category.\"io.callsup\".level", "INFO").start();
             Connection db = lab.jdbc(); LabScenario people = new LabScenario(db).holdPhonesFor(hold)) {
            List<String> report = new ScaleOutLoad(db, people).run(n, Duration.ofSeconds(seconds), 4, loadBefore,
                    "bin/bench-scale-out " + n + " " + seconds + "   (as root; takes /tmp/callsup-e2e.lock)");
            Files.write(out.resolve("report.md"), report);
        }
    }
}
