package io.callsup.supervision;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class SupervisorTagsTest {

    @Test
    void tagsAreRandomWellFormedAndFitRtpengineAndTheColumn() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String tag = SupervisorTags.newTag();
            assertThat(tag).matches("sup-[a-z2-7]{26}");
            assertThat(SupervisorTags.wellFormed(tag)).isTrue();
            // The placeholder party's tag adds "-callsup-ph"; supervisor_tag is VARCHAR(128).
            assertThat((tag + "-callsup-ph").length()).isLessThanOrEqualTo(128);
            seen.add(tag);
        }
        assertThat(seen).as("no repeats in 10k draws of 128 bits").hasSize(10_000);
    }

    @Test
    void oldStyleAndGuessedTagsAreNotWellFormed() {
        UUID id = UUID.randomUUID();
        for (String bad : new String[] {"sup-" + id.toString().substring(0, 13), "sup-", "sup-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                "sup-abcdefghijklmnopqrstuvwxy", "sup-abcdefghijklmnopqrstuvwxyz0", "sup-abcdefghijklmnopqrstuvwxy1",
                "xsup-abcdefghijklmnopqrstuvwxyz", "sup-abcdefghijklmnopqrstuvwxyz-callsup-ph", "", null}) {
            assertThat(SupervisorTags.wellFormed(bad)).as(String.valueOf(bad)).isFalse();
        }
    }
}
