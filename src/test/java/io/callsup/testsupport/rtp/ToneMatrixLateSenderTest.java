package io.callsup.testsupport.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Which gaps in a test phone's sending a failing row names as the phone's own lateness (a diagnosis, never an excuse). */
class ToneMatrixLateSenderTest {
    private static List<Long> every20msWithGapAt(int index, long gapMs) {
        List<Long> t = new ArrayList<>();
        long now = 1_000_000_000L;
        for (int i = 0; i < 40; i++) {
            now += (i == index ? gapMs : 20) * 1_000_000L;
            t.add(now);
        }
        return t;
    }

    @Test
    void gapsWithinThePlayersDelayAreNotNamed() {
        assertThat(ToneMatrix.lateSender(List.of("agent", "client"),
                List.of(every20msWithGapAt(-1, 0), every20msWithGapAt(10, 59)))).isNull();
    }

    @Test
    void aPhoneLateByMoreThanThePlayersDelayIsNamed() {
        assertThat(ToneMatrix.lateSender(List.of("agent", "client"),
                List.of(every20msWithGapAt(-1, 0), every20msWithGapAt(10, 61))))
                .isEqualTo("client sent nothing for 61 ms");
    }
}
