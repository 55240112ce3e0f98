package io.callsup.e2e;

import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.sip.RawSip;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kamailio's per-source flood limit (pike, kamailio.cfg CS_PIKE_*): a source that floods gets
 * "503 Rate limit exceeded" with Retry-After while another source is served, and is served again
 * once it slows down. The flood comes from 127.0.0.2 so the rest of the suite (127.0.0.1) is not
 * throttled.
 */
@QuarkusTest
class SipFloodLimitTest {

    private static String options(RawSip sip) {
        return "OPTIONS sip:" + KamailioResource.HOST + ":" + KamailioResource.sipPort() + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + sip.local() + ";branch=" + RawSip.branch() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:flood@flood.test>;tag=" + RawSip.token() + "\r\n"
                + "To: <sip:" + KamailioResource.HOST + ">\r\n"
                + "Call-ID: " + RawSip.token() + "@flood\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    @Test
    void aFloodingSourceIsToldToRetryLaterAndOthersAreServed() throws Exception {
        try (RawSip flooder = new RawSip("127.0.0.2");
             RawSip bystander = new RawSip("127.0.0.1")) {
            RawSip.Reply before = flooder.request(options(flooder), KamailioResource.sipPort(), Duration.ofSeconds(2));
            assertThat(before).as("the flooder's first request").isNotNull();
            assertThat(before.code()).isEqualTo(200);

            // Far beyond 3 x CS_PIKE_DENSITY (600) in one sampling unit (2 s).
            long start = System.nanoTime();
            for (int i = 0; i < 4000; i++) {
                flooder.send(options(flooder).getBytes(StandardCharsets.ISO_8859_1), KamailioResource.sipPort());
            }
            System.out.println("flood: 4000 OPTIONS sent in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            // Asked from a fresh socket of the same address: the flooding socket's buffer is full of
            // answers, and Kamailio may still be working through the flood (a datagram may be lost).
            RawSip.Reply limited = null;
            try (RawSip probe = new RawSip("127.0.0.2")) {
                for (int i = 0; i < 5 && limited == null; i++) {
                    limited = probe.request(options(probe), KamailioResource.sipPort(), Duration.ofSeconds(1));
                }
            }
            assertThat(limited).as("answer to the flooder").isNotNull();
            assertThat(limited.code()).isEqualTo(503);
            assertThat(limited.reason()).isEqualTo("Rate limit exceeded");
            assertThat(limited.header("Retry-After")).isEqualTo("5");

            RawSip.Reply served = bystander.request(options(bystander), KamailioResource.sipPort(), Duration.ofSeconds(2));
            assertThat(served).as("another source during the flood").isNotNull();
            assertThat(served.code()).isEqualTo(200);

            // Quiet for the limit's window: served again.
            Pbx.await("the flooder served again", () -> {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try (RawSip probe = new RawSip("127.0.0.2")) {
                    RawSip.Reply r = probe.request(options(probe), KamailioResource.sipPort(), Duration.ofSeconds(1));
                    return r != null && r.code() == 200 ? r : null;
                }
            });
        }
    }
}
