package io.callsup.e2e;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The soak's heap reading: every generation counted, metaspace not (texts as jcmd 17 prints them). */
class SoakProbeHeapTest {

    @Test
    void serialHeapIsBothGenerationsNotTheFirstUsed() {
        String serial = """
                26227:
                 def new generation   total 14528K, used 7181K [0x00000000f8000000, 0x00000000f8fc0000, 0x00000000faaa0000)
                  eden space 12928K,  43% used [0x00000000f8000000, 0x00000000f8573440, 0x00000000f8ca0000)
                  from space 1600K,  99% used [0x00000000f8e30000, 0x00000000f8fbfff0, 0x00000000f8fc0000)
                 tenured generation   total 32100K, used 29506K [0x00000000faaa0000, 0x00000000fc9f9000, 0x0000000100000000)
                   the space 32100K,  91% used [0x00000000faaa0000, 0x00000000fc770958, 0x00000000fc770a00, 0x00000000fc9f9000)
                 Metaspace       used 96408K, committed 97280K, reserved 294912K
                  class space    used 12635K, committed 13056K, reserved 163840K
                """;
        assertThat(SoakProbe.heapUsedMib(serial)).isCloseTo((7181 + 29506) / 1024.0, within(1e-9));
    }

    @Test
    void g1HeapIsTheWholeHeapLine() {
        String g1 = """
                 garbage-first heap   total 262144K, used 41235K [0x00000000f0000000, 0x0000000100000000)
                  region size 1024K, 5 young (5120K), 2 survivors (2048K)
                 Metaspace       used 96408K, committed 97280K, reserved 294912K
                """;
        assertThat(SoakProbe.heapUsedMib(g1)).isCloseTo(41235 / 1024.0, within(1e-9));
    }

    @Test
    void noHeapLineIsAnError() {
        assertThatThrownBy(() -> SoakProbe.heapUsedMib(" Metaspace       used 96408K, committed 97280K\n"))
                .isInstanceOf(IllegalStateException.class);
    }
}
