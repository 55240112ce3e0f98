package io.callsup.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.callsup.supervision.port.MediaMixer.MediaFailure;

/** The free-port figure read from rtpengine 26's {@code statistics} reply (shape as the daemon sends it). */
class PortHeadroomTest {

    static Map<String, Object> reply(Object... frees) {
        List<Object> interfaces = new java.util.ArrayList<>();
        for (Object f : frees) {
            interfaces.add(Map.of("name", "default", "address", "127.0.0.1",
                    "ports", Map.of("min", 28000L, "max", 28099L, "used", 100L - (Long) f, "free", f)));
        }
        return Map.of("result", "ok", "statistics", Map.of("currentstatistics", Map.of(), "interfaces", interfaces));
    }

    @Test
    void theFewestFreePortsOfAnyInterface() {
        assertThat(PortHeadroom.free(reply(37L))).isEqualTo(37);
        assertThat(PortHeadroom.free(reply(90L, 3L))).isEqualTo(3);
    }

    @Test
    void aReplyWithoutFiguresRefusesRatherThanGuesses() {
        assertThatThrownBy(() -> PortHeadroom.free(Map.of("result", "ok", "statistics", Map.of())))
                .isInstanceOf(MediaFailure.class).hasMessageContaining("free media ports");
        assertThatThrownBy(() -> PortHeadroom.free(Map.of("result", "ok", "interfaces", List.of())))
                .isInstanceOf(MediaFailure.class);
    }
}
