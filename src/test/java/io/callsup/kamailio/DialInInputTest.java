package io.callsup.kamailio;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DialInInputTest {

    private static final String SDP = "v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\n";

    private static String answer(String dialled, String sdp) {
        return DialInInput.refusal(dialled, sdp).map(d -> d.code() + " " + d.reason()).orElse("decide");
    }

    @Test
    void phoneInputErrorsGetTheirOwnSipAnswer() {
        assertThat(answer("*90744", SDP)).isEqualTo("decide");
        assertThat(answer("*9" + "0".repeat(62), SDP)).as("64 characters").isEqualTo("decide");
        assertThat(answer("*9" + "0".repeat(63), SDP)).startsWith("414 Request-URI Too Long");
        assertThat(answer("*90\u0000744", SDP)).startsWith("400 Bad Request - control character");
        assertThat(answer("*90\r\n744", SDP)).startsWith("400 ");
        assertThat(answer("*90\u007f", SDP)).startsWith("400 ");
        assertThat(answer("", SDP)).startsWith("400 ");
        assertThat(answer("*90744", "")).isEqualTo("488 Not Acceptable Here - SDP offer required");
        assertThat(answer("*90744", null)).startsWith("488 ");
        assertThat(answer("*90744", "hello")).isEqualTo("488 Not Acceptable Here - body is not an SDP offer");
        assertThat(answer("*90744", SDP + "a=x:" + "p".repeat(16384))).startsWith("413 Request Entity Too Large");
        // Bytes, not characters: 6000 three-byte characters are 18000 bytes.
        assertThat(answer("*90744", SDP + "a=x:" + "\u20ac".repeat(6000))).startsWith("413 ");
    }

    @Test
    void legCallIdsAreRandomAndCarryNoSessionId() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String token = KamailioSupervisorPhone.randomToken();
            assertThat(token).matches("[A-Za-z0-9_-]{22}");
            seen.add(token);
        }
        assertThat(seen).hasSize(1000);
    }
}
