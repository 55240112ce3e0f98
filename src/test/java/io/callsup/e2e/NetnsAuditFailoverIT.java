package io.callsup.e2e;

import io.callsup.e2e.LabScenario.Call;
import io.callsup.testsupport.ArtemisPair;
import io.callsup.testsupport.AuditSubscriber;
import io.callsup.testsupport.netns.NetnsLab;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.callsup.e2e.StackDb.sessionIdOf;
import static io.callsup.testsupport.TestApi.as;
import static io.callsup.testsupport.rtp.ToneMatrix.expectRow;
import static io.callsup.testsupport.rtp.ToneMatrix.hz;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15, "Artemis as a pair", on separate hosts ({@link NetnsLab#withArtemisPair()}): a replicated
 * primary/backup pair in csl-mq1/csl-mq2, both service replicas publishing the audit outbox through
 * their real Quarkus Artemis wiring ({@code quarkus.artemis.url} = the pair's failover URL), and an
 * integrator's durable subscriber in the test JVM on the same URL. A burst of supervision sessions
 * goes through the real stack: supervisors join by feature code (decided by replica 1), switch by
 * RFC 4733 digit (acted on by replica 2, the DTMF leader) or by the API, and leave by the API (each
 * on either replica), two sessions at a time. Mid-burst, while two joins are being dialled, the
 * primary broker's JVM is SIGKILLed; the burst goes on. Asserted:
 * <ol>
 * <li>the backup becomes the active broker;</li>
 * <li>the relay keeps publishing: events committed after the kill reach the subscriber;</li>
 * <li>after de-duplicating on {@code eventId}, the subscriber holds exactly the event ids of
 * {@code audit_outbox} (nothing lost, nothing foreign), each a session's started, mode_changed or
 * ended; copies are counted and printed;</li>
 * <li>the broker is not on the media path: a session supervised since before the kill is heard the
 * same during the failover (tones, presence and absence), and switches and ends as usual after it.</li>
 * </ol>
 */
class NetnsAuditFailoverIT {

    private static final String ADDRESS = "callsup.supervision.audit";
    /** Rounds of two sessions (one on call B, one on call C) before the kill, and from the kill on. */
    private static final int ROUNDS_BEFORE = 2;
    private static final int ROUNDS_FROM_KILL = 3;
    /** Each session: started, mode_changed, ended. */
    private static final int EVENTS_PER_SESSION = 3;
    /** Every committed event on the subscriber after the burst; the relay's back-off is at most 30 s. */
    private static final Duration DRAIN = Duration.ofSeconds(45);

    private LabScenario people;
    private long killedAt;
    private Instant killedAtWall;
    private Set<UUID> committedAtKill;

    @Test
    void everyAuditEventArrivesWhenThePrimaryBrokerIsKilledMidBurst() throws Exception {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root, iproute2 netns and PostgreSQL 15 binaries");
        long began = System.nanoTime();
        try (NetnsLab lab = new NetnsLab().withArtemisPair().start(); Connection db = lab.jdbc();
             AuditSubscriber billing = new AuditSubscriber(lab.artemisUrl(), ADDRESS, "billing-lab", "billing");
             LabScenario scenario = new LabScenario(db)) {
            System.out.println("netns audit: lab with the Artemis pair up after "
                    + Duration.ofNanos(System.nanoTime() - began).toSeconds() + " s");
            people = scenario;
            run(lab, db, billing);
        }
        System.out.println("netns audit: whole test, lab start and clean-up included, "
                + Duration.ofNanos(System.nanoTime() - began).toSeconds() + " s");
    }

    private void run(NetnsLab lab, Connection db, AuditSubscriber billing) throws Exception {
        assertThat(outbox(db)).as("no audit event before the subscription").isEmpty();
        Call a = people.call(0, "uas_answer.xml");
        Call b = people.call(1, "uas_answer.xml");
        Call c = people.call(2, "uas_answer.xml");

        // A: supervised from before the kill to after it; its media must not notice the broker.
        RtpEndpoint supA = people.endpoint("supA", 1700);
        long supAId = people.supervisor("900", "SupA");
        people.dial(supAId, "*90" + a.agentExt(), supA);
        people.awaitSession(supAId, "ACTIVE/SPY/");
        Map<RtpEndpoint, double[]> spyOnA = Map.of(a.agent(), hz(a.caller().toneHz()), a.caller(),
                hz(a.agent().toneHz()), supA, hz(a.agent().toneHz(), a.caller().toneHz()));
        expectRow("spy on A, primary broker up", spyOnA);

        int round = 0;
        for (; round < ROUNDS_BEFORE; round++) {
            round(db, b, c, round, null);
        }
        // Part of the burst has gone through the primary.
        Set<UUID> before = outbox(db);
        awaitReceived(db, billing, before);
        ArtemisPair pair = lab.artemisPair();
        round(db, b, c, round++, () -> {
            killedAt = System.nanoTime();
            killedAtWall = Instant.now();
            pair.killPrimary();
            committedAtKill = outbox(db);
            System.out.printf("netns audit: Artemis primary (pid %d, csl-mq1) SIGKILLed while two joins were being"
                            + " dialled; %d events committed, %d messages received%n", pair.primaryPid(),
                    committedAtKill.size(), billing.received().size());
            expectRow("spy on A while the backup takes over", spyOnA);
        });
        for (; round < ROUNDS_BEFORE + ROUNDS_FROM_KILL; round++) {
            round(db, b, c, round, null);
        }
        pair.awaitBackupActive(Duration.ofSeconds(30));
        System.out.println("netns audit: SIGKILL -> backup active "
                + Duration.between(killedAtWall, pair.backupActiveAt()).toMillis() + " ms");

        // A after the failover: a digit switches it (replica 2) and the API ends it (replica 1).
        supA.sendDigit('2', 200);
        people.awaitSession(supAId, "ACTIVE/BARGE/");
        Thread.sleep(400); // the keypress is briefly audible in the new mix
        expectRow("barge on A after the failover", Map.of(
                a.agent(), hz(a.caller().toneHz(), supA.toneHz()), a.caller(), hz(a.agent().toneHz(), supA.toneHz()),
                supA, hz(a.agent().toneHz(), a.caller().toneHz())));
        api(0).delete("/api/v1/supervision-sessions/{id}", sessionIdOf(db, supAId)).then().statusCode(200);
        assertThat(people.phoneOf(supAId).awaitExit(LabScenario.SIP_WAIT)).isZero();
        people.awaitSession(supAId, "ENDED/BARGE/API");
        expectRow("A after its supervisor left", Map.of(
                a.agent(), hz(a.caller().toneHz()), a.caller(), hz(a.agent().toneHz()), supA, hz()));

        Set<UUID> committed = drain(db, billing);
        verify(lab, db, billing, committed);
    }

    /** What a step does in the middle of a round, after both joins were dialled. */
    private interface MidRound {
        void run() throws Exception;
    }

    /**
     * Round {@code r}: a supervisor joins B and another C (feature code, both dialled at once), B's
     * switches to whisper by digit, C's to barge through the API of replica r % 2, and both leave
     * through the API of the other replica.
     */
    private void round(Connection db, Call b, Call c, int r, MidRound mid) throws Exception {
        long[] sup = new long[2];
        RtpEndpoint[] ep = new RtpEndpoint[2];
        Call[] calls = {b, c};
        for (int i = 0; i < 2; i++) {
            String name = "Sup" + r + (i == 0 ? "B" : "C");
            sup[i] = people.supervisor("91" + (2 * r + i), name);
            ep[i] = people.endpoint(name, 2300 + 200 * i);
            people.dial(sup[i], "*90" + calls[i].agentExt(), ep[i]);
        }
        if (mid != null) {
            mid.run();
        }
        for (long s : sup) {
            people.awaitSession(s, "ACTIVE/SPY/");
        }
        ep[0].sendDigit('1', 200);
        api(r % 2).body(Map.of("mode", "BARGE")).patch("/api/v1/supervision-sessions/{id}", sessionIdOf(db, sup[1]))
                .then().statusCode(200);
        people.awaitSession(sup[0], "ACTIVE/WHISPER/");
        people.awaitSession(sup[1], "ACTIVE/BARGE/");
        for (long s : sup) {
            api((r + 1) % 2).delete("/api/v1/supervision-sessions/{id}", sessionIdOf(db, s)).then().statusCode(200);
        }
        for (int i = 0; i < 2; i++) {
            SippPhone phone = people.phoneOf(sup[i]);
            assertThat(phone.awaitExit(LabScenario.SIP_WAIT)).as(phone.trace()).isZero();
            people.awaitSession(sup[i], "ENDED/");
            ep[i].close(); // its stream has nowhere to go now
        }
    }

    private RequestSpecification api(int replica) {
        return as(people.abc).baseUri("http://" + NetnsLab.SVC[replica]).port(NetnsLab.HTTP);
    }

    private static void awaitReceived(Connection db, AuditSubscriber billing, Set<UUID> ids) throws Exception {
        StackDb.await(() -> billing.distinct().containsAll(ids), ids.size() + " events on the subscriber (has "
                + billing.distinct().size() + ", unsent " + unsent(db) + ")");
    }

    /** Waits until the outbox is all sent and the subscriber holds it; returns the outbox's ids. */
    private static Set<UUID> drain(Connection db, AuditSubscriber billing) throws Exception {
        long deadline = System.nanoTime() + DRAIN.toNanos();
        Set<UUID> committed = outbox(db);
        while ((unsent(db) > 0 || !billing.distinct().containsAll(committed)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            committed = outbox(db);
        }
        Thread.sleep(500); // late redeliveries would show up as copies, not as strangers
        return outbox(db);
    }

    private void verify(NetnsLab lab, Connection db, AuditSubscriber billing, Set<UUID> committed) throws Exception {
        List<AuditSubscriber.Received> got = billing.received();
        Set<UUID> distinct = billing.distinct();
        Set<UUID> afterKill = new HashSet<>(committed);
        afterKill.removeAll(committedAtKill);
        Set<UUID> missing = new HashSet<>(committed);
        missing.removeAll(distinct);
        Set<UUID> foreign = new HashSet<>(distinct);
        foreign.removeAll(committed);
        long firstViaBackup = got.stream().mapToLong(AuditSubscriber.Received::nanos).filter(t -> t > killedAt)
                .min().orElse(-1);
        long firstNew = got.stream().filter(x -> afterKill.contains(x.eventId()))
                .mapToLong(AuditSubscriber.Received::nanos).min().orElse(-1);
        System.out.printf("netns audit: %d events committed (%d after the kill), %d messages received, %d distinct ids,"
                        + " %d copies; missing %d, foreign %d%n", committed.size(), afterKill.size(), got.size(),
                distinct.size(), got.size() - distinct.size(), missing.size(), foreign.size());
        System.out.printf("netns audit: SIGKILL -> first message via the backup %s; -> first event committed after"
                        + " the kill received %s; published by replica 1: %s, replica 2: %s%n", millisAfterKill(firstViaBackup),
                millisAfterKill(firstNew), published(lab, 0), published(lab, 1));

        assertThat(unsent(db)).as("outbox rows left unsent after the failover").isZero();
        assertThat(missing).as("events committed to the outbox that the subscriber never received").isEmpty();
        assertThat(foreign).as("events received that the outbox never held").isEmpty();
        assertThat(billing.bodyMismatches()).as("messages whose eventId property is not the CloudEvent's id").isZero();
        assertThat(afterKill).as("the burst committed events after the kill").isNotEmpty();
        assertThat(firstNew).as("an event committed after the kill was received (via the backup)").isPositive();
        int sessions = 1 + 2 * (ROUNDS_BEFORE + ROUNDS_FROM_KILL);
        assertThat(committed).as("started, mode_changed and ended of each of " + sessions + " sessions")
                .hasSize(sessions * EVENTS_PER_SESSION);
    }

    private String millisAfterKill(long nanos) {
        return nanos < 0 ? "never" : Duration.ofNanos(nanos - killedAt).toMillis() + " ms";
    }

    private static final Pattern PUBLISHED = Pattern.compile("callsup_audit_events_published_total(?:\\{[^}]*\\})? ([0-9.eE+-]+)");

    /** Events the replica's relay published (its own count; copies the broker refused excluded). */
    private static String published(NetnsLab lab, int replica) throws Exception {
        Matcher m = PUBLISHED.matcher(lab.metrics(replica));
        return m.find() ? m.group(1) : "?";
    }

    private static Set<UUID> outbox(Connection db) throws Exception {
        try (PreparedStatement ps = db.prepareStatement("SELECT event_id FROM audit_outbox");
             ResultSet rs = ps.executeQuery()) {
            Set<UUID> ids = new HashSet<>();
            while (rs.next()) {
                ids.add(rs.getObject(1, UUID.class));
            }
            return ids;
        }
    }

    private static long unsent(Connection db) throws Exception {
        try (PreparedStatement ps = db.prepareStatement("SELECT count(*) FROM audit_outbox WHERE sent_at IS NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
