package io.callsup.dialplan;

import io.callsup.model.SupervisionMode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/** Pure validation of custom dialing rules. Every problem found is reported, not just the first. */
public final class DialingRuleValidator {

    private static final Pattern PREFIX = Pattern.compile("[*#][0-9*#]{0,5}");
    private static final Pattern DIGIT = Pattern.compile("[0-9*#]");

    private DialingRuleValidator() {
    }

    public static String prefixField(SupervisionMode mode) {
        return mode.name().toLowerCase() + "Prefix";
    }

    public static String digitField(SupervisionMode mode) {
        return mode.name().toLowerCase() + "Digit";
    }

    public static List<RuleViolation> validate(DialingRule rule) {
        List<RuleViolation> violations = new ArrayList<>();
        SupervisionMode[] modes = SupervisionMode.values();
        for (SupervisionMode mode : modes) {
            String prefix = rule.prefixFor(mode);
            if (prefix == null || !PREFIX.matcher(prefix).matches()) {
                violations.add(new RuleViolation(prefixField(mode),
                        "must be 1-6 characters of 0-9, * and #, starting with * or #, but was " + quote(prefix)));
            }
            String digit = rule.digitFor(mode);
            if (digit == null || !DIGIT.matcher(digit).matches()) {
                violations.add(new RuleViolation(digitField(mode),
                        "must be exactly one of 0-9, * or #, but was " + quote(digit)));
            }
        }
        if (!violations.isEmpty()) {
            return violations; // comparisons between malformed values would only add noise
        }
        for (int i = 0; i < modes.length; i++) {
            for (int j = 0; j < modes.length; j++) {
                if (i == j) {
                    continue;
                }
                String a = rule.prefixFor(modes[i]);
                String b = rule.prefixFor(modes[j]);
                if (i < j && a.equals(b)) {
                    violations.add(new RuleViolation(prefixField(modes[j]),
                            "must differ from " + prefixField(modes[i]) + " (both are " + a + ")"));
                } else if (!a.equals(b) && b.startsWith(a)) {
                    violations.add(new RuleViolation(prefixField(modes[j]),
                            b + " is ambiguous: it starts with " + prefixField(modes[i]) + " " + a));
                }
                if (i < j && rule.digitFor(modes[i]).equals(rule.digitFor(modes[j]))) {
                    violations.add(new RuleViolation(digitField(modes[j]),
                            "must differ from " + digitField(modes[i]) + " (both are " + rule.digitFor(modes[i]) + ")"));
                }
            }
        }
        return violations;
    }

    /**
     * Extensions that a rule's prefixes would shadow. Extensions are digits only and prefixes start
     * with * or #, so through the API this is always empty; it stays as the one place that states
     * the rule, for imported data and for any future relaxing of the extension format.
     */
    public static List<RuleViolation> shadowedExtensions(DialingRule rule, Collection<String> extensions) {
        List<RuleViolation> violations = new ArrayList<>();
        for (String extension : extensions) {
            for (SupervisionMode mode : SupervisionMode.values()) {
                if (extension.startsWith(rule.prefixFor(mode))) {
                    violations.add(new RuleViolation(prefixField(mode),
                            "extension " + extension + " starts with " + rule.prefixFor(mode)));
                }
            }
        }
        return violations;
    }

    private static String quote(String value) {
        return value == null ? "missing" : "'" + value + "'";
    }
}
