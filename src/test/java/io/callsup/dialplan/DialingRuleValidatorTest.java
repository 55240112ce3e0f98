package io.callsup.dialplan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DialingRuleValidatorTest {

    private static DialingRule prefixes(String spy, String whisper, String barge) {
        return new DialingRule(spy, whisper, barge, "0", "1", "2");
    }

    private static DialingRule digits(String spy, String whisper, String barge) {
        return new DialingRule("*90", "*91", "*92", spy, whisper, barge);
    }

    @Test
    void defaultAndLegacyRulesAreValid() {
        assertThat(DialingRuleValidator.validate(DialingRule.DEFAULT)).isEmpty();
        assertThat(DialingRuleValidator.validate(new DialingRule("*21", "*22", "*23", "1", "2", "3"))).isEmpty();
        assertThat(DialingRuleValidator.validate(new DialingRule("#", "*1", "*#*#*#", "*", "#", "9"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "90", "9*", "*9a", "*1234567", "* 9", "*9-"})
    void badPrefixesAreRefusedNamingTheField(String bad) {
        assertThat(DialingRuleValidator.validate(prefixes("*90", bad, "*92")))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("whisperPrefix");
                    assertThat(v.message()).contains("starting with * or #");
                });
    }

    @Test
    void missingValuesAreRefused() {
        List<RuleViolation> violations = DialingRuleValidator.validate(new DialingRule(null, "*91", "*92", "0", null, "2"));
        assertThat(violations).extracting(RuleViolation::field).containsExactlyInAnyOrder("spyPrefix", "whisperDigit");
        assertThat(violations).allSatisfy(v -> assertThat(v.message()).contains("missing"));
    }

    @Test
    void sixCharacterPrefixIsTheLongestAllowed() {
        assertThat(DialingRuleValidator.validate(prefixes("*12345", "*91", "*92"))).isEmpty();
        assertThat(DialingRuleValidator.validate(prefixes("*123456", "*91", "*92"))).hasSize(1);
    }

    @Test
    void equalPrefixesAreRefused() {
        assertThat(DialingRuleValidator.validate(prefixes("*90", "*90", "*92")))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("whisperPrefix");
                    assertThat(v.message()).contains("must differ from spyPrefix");
                });
    }

    @Test
    void prefixOfAnotherIsAmbiguousWhicheverOrder() {
        assertThat(DialingRuleValidator.validate(prefixes("*9", "*90", "*8")))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("whisperPrefix");
                    assertThat(v.message()).contains("ambiguous").contains("*9");
                });
        assertThat(DialingRuleValidator.validate(prefixes("*90", "*8", "*9")))
                .singleElement()
                .satisfies(v -> assertThat(v.field()).isEqualTo("spyPrefix"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "12", "a", "+", " "})
    void badDigitsAreRefused(String bad) {
        assertThat(DialingRuleValidator.validate(digits("0", "1", bad)))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("bargeDigit");
                    assertThat(v.message()).contains("exactly one of 0-9, * or #");
                });
    }

    @Test
    void equalDigitsAreRefused() {
        assertThat(DialingRuleValidator.validate(digits("1", "2", "1")))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("bargeDigit");
                    assertThat(v.message()).contains("must differ from spyDigit");
                });
    }

    @Test
    void allProblemsAreReportedAtOnce() {
        assertThat(DialingRuleValidator.validate(new DialingRule("90", "x", "*92", "10", "1", "")))
                .extracting(RuleViolation::field)
                .containsExactlyInAnyOrder("spyPrefix", "whisperPrefix", "spyDigit", "bargeDigit");
    }

    @Test
    void extensionStartingWithAPrefixIsShadowed() {
        DialingRule rule = prefixes("*90", "*91", "#1");
        assertThat(DialingRuleValidator.shadowedExtensions(rule, List.of("744", "#12", "*9")))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("bargePrefix");
                    assertThat(v.message()).contains("#12");
                });
        assertThat(DialingRuleValidator.shadowedExtensions(DialingRule.DEFAULT, List.of("744", "90744"))).isEmpty();
    }
}
