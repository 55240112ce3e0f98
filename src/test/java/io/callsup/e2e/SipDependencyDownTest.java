package io.callsup.e2e;

import io.callsup.supervision.SupervisionSession;
import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.sip.RawSip;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When what the SIP side depends on is down, phones and applications are told so: a phone whose
 * digest cannot be checked (its Kamailio cannot read the subscriber database) gets 503 with
 * Retry-After instead of an endless 407 loop; an application join while Kamailio is down gets 503
 * "dependency-unavailable" at once, with a Retry-After, and no session.
 */
@QuarkusTest
class SipDependencyDownTest {

    private static final Duration WAIT = Duration.ofSeconds(4);
    private static final String ROLE = "kam_dbdown";
    private static final String PRESENCE_TABLES = "presentity, active_watchers, watchers, xcap, pua";

    private static void sql(String... statements) throws SQLException {
        var config = ConfigProvider.getConfig();
        try (Connection c = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
             Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static String invite(RawSip sip, Pbx pbx, String target) {
        return "INVITE sip:" + target + "@" + pbx.domain() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + sip.local() + ";branch=" + RawSip.branch() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + pbx.adamUser + "@" + pbx.domain() + ">;tag=" + RawSip.token() + "\r\n"
                + "To: <sip:" + target + "@" + pbx.domain() + ">\r\n"
                + "Call-ID: " + RawSip.token() + "@dbdown\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:" + pbx.adamUser + "@" + sip.local() + ">\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    @Test
    void aPhoneIsToldToRetryLaterWhenTheSubscriberDatabaseIsDown() throws Exception {
        Pbx pbx = new Pbx(true);
        URI jdbc = URI.create(ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class)
                .substring("jdbc:".length()));
        sql("DROP ROLE IF EXISTS " + ROLE, "CREATE ROLE " + ROLE + " LOGIN PASSWORD 'dbdown-pw'",
                "GRANT SELECT ON kamailio_subscriber, kamailio_dbaliases TO " + ROLE,
                // pua and presence check their table versions at start-up even with memory-only state.
                "GRANT SELECT ON version TO " + ROLE,
                "GRANT SELECT, INSERT, UPDATE, DELETE ON " + PRESENCE_TABLES + " TO " + ROLE);
        String dbUrl = "postgres://" + ROLE + ":dbdown-pw@" + jdbc.getHost() + ":" + jdbc.getPort() + jdbc.getPath();
        try (KamailioResource.Instance edge = KamailioResource.startSeparate("dbdown", "http://127.0.0.1:9", dbUrl);
             RawSip sip = new RawSip("127.0.0.1")) {
            // Database up: the digest is checked and the unregistered extension is not found.
            RawSip.Reply up = sip.requestWithAuth(invite(sip, pbx, "7999"), pbx.adamUser, Pbx.SIP_PASSWORD,
                    edge.sipPort(), WAIT);
            assertThat(up).isNotNull();
            assertThat(up.code()).as(up.toString()).isEqualTo(404);

            // The database refuses this Kamailio from now on (its open connections are cut too).
            sql("ALTER ROLE " + ROLE + " NOLOGIN",
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + ROLE + "'");
            RawSip.Reply down = sip.requestWithAuth(invite(sip, pbx, "7999"), pbx.adamUser, Pbx.SIP_PASSWORD,
                    edge.sipPort(), WAIT);
            assertThat(down).as("answer with the database down").isNotNull();
            assertThat(down.code()).as(down.toString()).isEqualTo(503);
            assertThat(down.reason()).contains("subscriber database unreachable");
            assertThat(down.header("Retry-After")).isEqualTo("30");
        } finally {
            sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + ROLE + "'",
                    "REVOKE ALL ON kamailio_subscriber, kamailio_dbaliases FROM " + ROLE,
                    "REVOKE ALL ON version, " + PRESENCE_TABLES + " FROM " + ROLE, "DROP ROLE IF EXISTS " + ROLE);
        }
    }

    @Test
    void anApplicationJoinWhileKamailioIsDownIs503AndLeavesNoSession() throws Exception {
        Pbx pbx = new Pbx(true);
        String crm = CallControlApiTest.credential(pbx, "CUSTOMER", null, "CALL_CONTROL_MODIFY");
        long before = sessions(pbx);
        KamailioResource.stopInstance();
        try {
            long start = System.nanoTime();
            Response r = CallControlApiTest.join(crm, "any-call", pbx.adam, "SPY", null, null);
            long ms = (System.nanoTime() - start) / 1_000_000;
            CallControlApiTest.expectProblem(r, 503, "dependency-unavailable");
            // callsup.kamailio.retry-after, 5 s by default.
            assertThat(r.header("Retry-After")).as("Retry-After").isEqualTo("5");
            assertThat(ms).as("answered at once (ms)").isLessThan(5_000);
            assertThat(sessions(pbx)).as("sessions").isEqualTo(before);
        } finally {
            KamailioResource.startInstance();
        }
    }

    private static long sessions(Pbx pbx) {
        return QuarkusTransaction.requiringNew().call(() -> SupervisionSession.count("customerId",
                pbx.abc.customerId()));
    }
}
