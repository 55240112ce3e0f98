package io.callsup.dialplan;

/** One reason a dialing rule or extension is refused, naming the offending field. */
public record RuleViolation(String field, String message) {
}
