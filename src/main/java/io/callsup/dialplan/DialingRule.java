package io.callsup.dialplan;

import io.callsup.model.SupervisionMode;

/**
 * The service codes of one customer: a join prefix and a switch digit per mode.
 * Values are plain strings so that the same record serves the default rule, a stored
 * custom rule and a rule that still has to be validated.
 */
public record DialingRule(String spyPrefix, String whisperPrefix, String bargePrefix,
                          String spyDigit, String whisperDigit, String bargeDigit) {

    public static final DialingRule DEFAULT = new DialingRule("*90", "*91", "*92", "0", "1", "2");

    public String prefixFor(SupervisionMode mode) {
        return switch (mode) {
            case SPY -> spyPrefix;
            case WHISPER -> whisperPrefix;
            case BARGE -> bargePrefix;
        };
    }

    public String digitFor(SupervisionMode mode) {
        return switch (mode) {
            case SPY -> spyDigit;
            case WHISPER -> whisperDigit;
            case BARGE -> bargeDigit;
        };
    }
}
