package io.callsup.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BencodeTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void encodesNgRequestAsOnTheWire() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", "ping");
        assertThat(new String(Bencode.encode(m), StandardCharsets.US_ASCII)).isEqualTo("d7:command4:pinge");
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("flags", List.of("directional"));
        n.put("i", -42);
        n.put("skip", null);
        n.put("yes", true);
        assertThat(new String(Bencode.encode(n), StandardCharsets.US_ASCII))
                .isEqualTo("d5:flagsl11:directionale1:ii-42e3:yes3:yese");
    }

    @Test
    void roundTripsNestedValuesAndUtf8() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sdp", "v=0\r\ns=é\r\n");
        m.put("codec", Map.of("offer", List.of("PCMU", "telephone-event")));
        m.put("n", 0L);
        m.put("empty", "");
        m.put("list", List.of());
        assertThat(Bencode.decode(Bencode.encode(m))).isEqualTo(m);
    }

    @Test
    void decodesRtpengineReply() {
        byte[] wire = b("c1 d6:result5:error12:error-reason15:Unknown call-IDe");
        Map<String, Object> r = Bencode.decodeDict(wire, 3, wire.length - 3);
        assertThat(r).containsEntry("result", "error").containsEntry("error-reason", "Unknown call-ID");
    }

    @Test
    void rejectsMalformedInput() {
        for (String bad : List.of("", "d", "de x", "i12", "ie", "i-e", "i1x2e", "4:abc", "5:abc", "l", "li1e",
                "d3:keye", "di1e1:ae", "x", "-1:a", "d7:command", "i99999999999999999999999e", "3abc",
                "d1:a1:b", "1:ab")) {
            assertThatThrownBy(() -> Bencode.decode(b(bad))).as(bad).isInstanceOf(BencodeException.class);
        }
    }

    @Test
    void rejectsHostileNesting() {
        String deep = "l".repeat(10_000) + "e".repeat(10_000);
        assertThatThrownBy(() -> Bencode.decode(b(deep))).isInstanceOf(BencodeException.class)
                .hasMessageContaining("nesting");
    }

    @Test
    void refusesValuesBencodeCannotHold() {
        assertThatThrownBy(() -> Bencode.encode(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bencode.encode(Map.of(1, "a"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bencode.encode(new Object())).isInstanceOf(IllegalArgumentException.class);
    }
}
