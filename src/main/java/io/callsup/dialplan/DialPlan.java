package io.callsup.dialplan;

import io.callsup.model.SupervisionMode;

import java.util.Optional;
import java.util.regex.Pattern;

/** Pure parsing of service codes and DTMF digits against a customer's rule. No I/O. */
public final class DialPlan {

    /** Extensions are digits only; 15 digits covers E.164-length internal numbers. */
    public static final Pattern EXTENSION = Pattern.compile("[0-9]{1,15}");

    private DialPlan() {
    }

    public static DialResult parse(String dialled, DialingRule rule) {
        if (dialled == null || dialled.isEmpty()) {
            return new DialResult.NotSupervision();
        }
        // The rule guarantees no prefix is a prefix of another, so at most one can match.
        for (SupervisionMode mode : SupervisionMode.values()) {
            String prefix = rule.prefixFor(mode);
            if (dialled.startsWith(prefix)) {
                String rest = dialled.substring(prefix.length());
                if (rest.isEmpty()) {
                    return new DialResult.Malformed(mode, "the code " + prefix + " must be followed by an extension");
                }
                if (!EXTENSION.matcher(rest).matches()) {
                    return new DialResult.Malformed(mode,
                            "'" + rest + "' after " + prefix + " is not an extension (1-15 digits)");
                }
                return new DialResult.Supervise(mode, rest);
            }
        }
        return new DialResult.NotSupervision();
    }

    /** The mode a single DTMF digit switches to, or empty when the digit is to be ignored. */
    public static Optional<SupervisionMode> digit(String digit, DialingRule rule) {
        if (digit == null || digit.length() != 1) {
            return Optional.empty();
        }
        for (SupervisionMode mode : SupervisionMode.values()) {
            if (rule.digitFor(mode).equals(digit)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
