package io.callsup.kamailio;

import io.callsup.kamailio.KamailioRpc.DialogInfo;
import io.callsup.kamailio.KamailioRpc.DialogKey;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which of Kamailio's dialogs a hang-up may end: a shared Call-ID alone must not be enough. */
class DialogKeyTest {

    private static DialogInfo dialog(String callId, String fromTag, String toTag) {
        return new DialogInfo(callId, fromTag, toTag, "sip:a@x", "sip:b@x", 4, 1, 2, Map.of());
    }

    @Test
    void tagsMustBeTheDialogsOwnOnEitherSide() {
        DialogInfo leg = dialog("c1", "phone", "mc");
        assertThat(new DialogKey("c1", "phone", "mc").matches(leg)).isTrue();
        assertThat(new DialogKey("c1", "mc", "phone").matches(leg)).as("either orientation").isTrue();
        assertThat(new DialogKey("c1", "phone", null).matches(leg)).as("to-tag not known yet").isTrue();
    }

    @Test
    void aDialogThatOnlySharesTheCallIdIsNotMatched() {
        DialogInfo other = dialog("c1", "someone-else", "mc2");
        assertThat(new DialogKey("c1", "phone", "mc").matches(other)).isFalse();
        assertThat(new DialogKey("c1", "phone", null).matches(other)).isFalse();
        assertThat(new DialogKey("c1", "phone", "mc2").matches(other)).as("one tag of two").isFalse();
        assertThat(new DialogKey("c2", "someone-else", "mc2").matches(other)).as("other Call-ID").isFalse();
    }

    @Test
    void aKeyWithoutTagsNamesEveryDialogWithTheCallId() {
        DialogKey any = DialogKey.anyWithCallId("c1");
        assertThat(any.matches(dialog("c1", "a", "b"))).isTrue();
        assertThat(any.matches(dialog("c1", "c", "d"))).isTrue();
        assertThat(any.matches(dialog("c10", "a", "b"))).isFalse();
    }

    @Test
    void aKeyNeedsACallId() {
        assertThatThrownBy(() -> new DialogKey(null, "a", "b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DialogKey.anyWithCallId("")).isInstanceOf(IllegalArgumentException.class);
    }
}
