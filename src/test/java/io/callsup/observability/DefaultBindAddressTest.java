package io.callsup.observability;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13: nothing binds a wildcard address unless configured to. The service's own defaults (the
 * jar run as is, without bin/callsup or the k8s env) are loopback; RunCommandIT checks the sockets of
 * a whole bin/callsup stack.
 */
class DefaultBindAddressTest {

    @Test
    void theServiceListensOnLoopbackUnlessTheOperatorSaysOtherwise() throws IOException {
        Properties p = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        assertThat(p.getProperty("quarkus.http.host")).isEqualTo("127.0.0.1");
        assertThat(p.getProperty("quarkus.management.host")).isEqualTo("${CALLSUP_MANAGEMENT_HOST:127.0.0.1}");
        assertThat(p.getProperty("callsup.media.dtmf-log.host", "127.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(p.values()).as("no wildcard default anywhere").noneMatch(v -> v.toString().contains("0.0.0.0"));
    }
}
