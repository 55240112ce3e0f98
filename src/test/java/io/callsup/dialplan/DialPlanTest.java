package io.callsup.dialplan;

import io.callsup.model.SupervisionMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DialPlanTest {

    private static final DialingRule LEGACY = new DialingRule("*21", "*22", "*23", "1", "2", "3");

    @ParameterizedTest
    @CsvSource({
            "*90744, SPY, 744",
            "*91888, WHISPER, 888",
            "*92744, BARGE, 744",
            "*900, SPY, 0",
            "*90123456789012345, SPY, 123456789012345",
    })
    void defaultCodesSelectModeAndExtension(String dialled, SupervisionMode mode, String extension) {
        assertThat(DialPlan.parse(dialled, DialingRule.DEFAULT)).isEqualTo(new DialResult.Supervise(mode, extension));
    }

    @ParameterizedTest
    @CsvSource({"*21744, SPY, 744", "*22744, WHISPER, 744", "*23744, BARGE, 744"})
    void customCodesSelectModeAndExtension(String dialled, SupervisionMode mode, String extension) {
        assertThat(DialPlan.parse(dialled, LEGACY)).isEqualTo(new DialResult.Supervise(mode, extension));
    }

    @ParameterizedTest
    @ValueSource(strings = {"*90744", "*91744", "*92744"})
    void defaultCodesAreNotSupervisionUnderACustomRule(String dialled) {
        assertThat(DialPlan.parse(dialled, LEGACY)).isEqualTo(new DialResult.NotSupervision());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"744", "0049301234", "*93744", "*9", "#90744", "*8744", "9*90744"})
    void otherStringsAreNotSupervisionCodes(String dialled) {
        assertThat(DialPlan.parse(dialled, DialingRule.DEFAULT)).isEqualTo(new DialResult.NotSupervision());
    }

    @ParameterizedTest
    @CsvSource({"*90, SPY", "*91, WHISPER", "*92, BARGE"})
    void prefixWithoutExtensionIsMalformed(String dialled, SupervisionMode mode) {
        assertThat(DialPlan.parse(dialled, DialingRule.DEFAULT)).isInstanceOfSatisfying(DialResult.Malformed.class, m -> {
            assertThat(m.mode()).isEqualTo(mode);
            assertThat(m.reason()).contains("must be followed by an extension");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"*90*744", "*90744#", "*9074a", "*90 744", "*901234567890123456", "*90+744"})
    void prefixFollowedByANonExtensionIsMalformed(String dialled) {
        assertThat(DialPlan.parse(dialled, DialingRule.DEFAULT)).isInstanceOfSatisfying(DialResult.Malformed.class,
                m -> assertThat(m.reason()).contains("is not an extension"));
    }

    @Test
    void hashPrefixesWork() {
        DialingRule hash = new DialingRule("#1", "#2", "#3", "7", "8", "9");
        assertThat(DialPlan.parse("#2744", hash)).isEqualTo(new DialResult.Supervise(SupervisionMode.WHISPER, "744"));
    }

    @ParameterizedTest
    @CsvSource({"0, SPY", "1, WHISPER", "2, BARGE"})
    void defaultDigitsSwitchModes(String digit, SupervisionMode mode) {
        assertThat(DialPlan.digit(digit, DialingRule.DEFAULT)).contains(mode);
    }

    @ParameterizedTest
    @CsvSource({"1, SPY", "2, WHISPER", "3, BARGE"})
    void customDigitsSwitchModes(String digit, SupervisionMode mode) {
        assertThat(DialPlan.digit(digit, LEGACY)).contains(mode);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"3", "9", "*", "#", "12", "A"})
    void otherDigitsAreIgnored(String digit) {
        assertThat(DialPlan.digit(digit, DialingRule.DEFAULT)).isEqualTo(Optional.empty());
    }

    @Test
    void defaultDigitZeroIsIgnoredUnderTheLegacyRule() {
        assertThat(DialPlan.digit("0", LEGACY)).isEmpty();
    }
}
