package io.callsup.supervision;

import io.callsup.model.SessionState;
import io.callsup.model.SupervisionMode;
import io.callsup.testsupport.Management;
import io.callsup.testsupport.TestApi;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Forged rtpengine DTMF-log datagrams at the service's real listener: the right tag from another
 * address, and guessed tags from rtpengine's own address. None may switch or end a live session,
 * add a mode change or an audit row; each is counted. The same datagram from rtpengine's address
 * with the session's real tag does reach the session (the control that the test can fail).
 */
@QuarkusTest
class DtmfForgeryTest {

    @Inject
    SerialTriggers triggers;

    private record Sent(InetAddress from, String callId, String tag, int event) {
    }

    private static long count(String sql, Object... args) {
        return QuarkusTransaction.requiringNew().call(() -> {
            var q = Panache.getEntityManager().createNativeQuery(sql);
            for (int i = 0; i < args.length; i++) {
                q.setParameter(i + 1, args[i]);
            }
            return ((Number) q.getSingleResult()).longValue();
        });
    }

    private static SupervisionSession session(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> SupervisionSession.<SupervisionSession>findById(id));
    }

    private static UUID liveSpySession(TestApi.Tenant t, long adam, long john) {
        return QuarkusTransaction.requiringNew().call(() -> {
            SupervisionSession s = new SupervisionSession();
            s.id = UUID.randomUUID();
            s.customerId = t.customerId();
            s.supervisorAccountId = adam;
            s.agentAccountId = john;
            s.callId = TestApi.unique("forgery-call");
            s.agentTag = "agent-tag";
            s.clientTag = "client-tag";
            s.clientNumber = "+4930111";
            s.supervisorTag = SupervisorTags.newTag();
            s.mediaDaemon = null; // no daemon: the media reconciler leaves the row alone
            s.dialledIn = true;
            s.joinedBy = SupervisionSession.JoinedBy.CODE;
            s.mode = SupervisionMode.SPY;
            s.state = SessionState.ACTIVE;
            s.startedAt = Instant.now();
            s.activatedAt = Instant.now();
            s.persist();
            return s.id;
        });
    }

    private static void send(List<Sent> datagrams) throws Exception {
        int port = ConfigProvider.getConfig().getValue("callsup.media.dtmf-log.port", Integer.class);
        InetAddress to = InetAddress.getByName("127.0.0.1");
        for (Sent d : datagrams) {
            byte[] b = ("{\"callid\":\"" + d.callId() + "\",\"source_tag\":\"" + d.tag() + "\",\"type\":\"DTMF\","
                    + "\"event\":" + d.event() + ",\"duration\":120}").getBytes(StandardCharsets.UTF_8);
            try (DatagramSocket out = new DatagramSocket(new InetSocketAddress(d.from(), 0))) {
                out.send(new DatagramPacket(b, b.length, to, port));
            }
        }
    }

    private void drain() throws InterruptedException {
        Thread.sleep(300);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (triggers.pending() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(500);
    }

    private static double dropped(String reason) {
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^callsup_dtmf_log_dropped_total\\{[^}]*reason=\"" + reason + "\"[^}]*} (\\S+)$")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void forgedDatagramsChangeNothingAndTheRealOneArrives() throws Exception {
        TestApi.Tenant t = TestApi.newTenant("Forgery", true);
        long john = TestApi.newAccount(t, "744", "John");
        long adam = TestApi.newAccount(t, "745", "Adam");
        UUID id = liveSpySession(t, adam, john);
        SupervisionSession s = session(id);
        InetAddress rtpengine = InetAddress.getByName("127.0.0.1");
        InetAddress stranger = InetAddress.getByName("127.0.0.2");

        List<Sent> forged = new ArrayList<>();
        for (int digit : new int[] {1, 2}) { // whisper, barge under the default rule
            forged.add(new Sent(stranger, s.callId, s.supervisorTag, digit));
        }
        String[] guessed = {"sup-" + id.toString().substring(0, 13), SupervisorTags.newTag(),
                s.supervisorTag.toUpperCase(), s.supervisorTag + "-callsup-ph", s.agentTag, s.clientTag,
                s.supervisorTag.substring(0, s.supervisorTag.length() - 1)};
        for (String tag : guessed) {
            forged.add(new Sent(rtpengine, s.callId, tag, 2));
        }
        forged.add(new Sent(rtpengine, "other-" + s.callId, s.supervisorTag, 2));
        double fromStrangerBefore = dropped("source");
        double badTagBefore = dropped("not-supervisor-tag");
        long auditBefore = count("select count(*) from audit_outbox where customer_id = ?1", t.customerId());

        send(forged);
        drain();

        SupervisionSession after = session(id);
        assertThat(after.state).isEqualTo(SessionState.ACTIVE);
        assertThat(after.mode).isEqualTo(SupervisionMode.SPY);
        assertThat(after.version).as("the row was not touched").isEqualTo(s.version);
        assertThat(count("select count(*) from supervision_mode_change where session_id = ?1", id)).isZero();
        assertThat(count("select count(*) from audit_outbox where customer_id = ?1", t.customerId()))
                .isEqualTo(auditBefore);
        assertThat(dropped("source") - fromStrangerBefore).as("datagrams from the stranger, counted").isEqualTo(2);
        assertThat(dropped("not-supervisor-tag") - badTagBefore).as("datagrams with tags that are no supervisor's")
                .isEqualTo(6);

        // Control: the real tag from rtpengine's address reaches the session machine.
        send(List.of(new Sent(rtpengine, s.callId, s.supervisorTag, 2)));
        drain();
        SupervisionSession touched = session(id);
        assertThat(touched.version).as("the genuine digit reached the session (mode %s, state %s)", touched.mode,
                touched.state).isNotEqualTo(s.version);
    }
}
