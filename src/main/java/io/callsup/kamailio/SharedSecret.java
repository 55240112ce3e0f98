package io.callsup.kamailio;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.regex.Pattern;

/**
 * A secret shared with Kamailio. Its {@link #toString()} never shows the value, so a logged config
 * object, exception or request dump cannot leak it.
 */
public final class SharedSecret {

    /** 24 characters of the allowed alphabet carry well over 128 bits when drawn at random. */
    public static final int MIN_LENGTH = 24;
    // kamailio.cfg gets the value through #!substdef: '!', quotes and whitespace would break it.
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+=-]+");

    private final byte[] value;

    private SharedSecret(String value) {
        this.value = value.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Used by SmallRye Config as the converter. It never throws: SmallRye's conversion error would
     * quote the value. {@link KamailioSecretsCheck} refuses a weak one at start-up instead.
     */
    public static SharedSecret of(String value) {
        return new SharedSecret(value == null ? "" : value);
    }

    /** Why this secret must not be used, or null; the reason never contains the value. */
    public String weakness() {
        String v = reveal();
        if (v.isBlank()) {
            return "is empty";
        }
        if (v.length() < MIN_LENGTH) {
            return "has " + v.length() + " characters, at least " + MIN_LENGTH + " are required";
        }
        if (!TOKEN.matcher(v).matches()) {
            return "may only contain A-Z a-z 0-9 . _ ~ + = - (it is pasted into kamailio.cfg)";
        }
        return null;
    }

    /** Constant time, so the answer's timing says nothing about how much of a guess was right. */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(value, candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** The value, for the one place that must send it (a request header). */
    public String reveal() {
        return new String(value, StandardCharsets.UTF_8);
    }

    public boolean sameAs(SharedSecret other) {
        return MessageDigest.isEqual(value, other.value);
    }

    @Override
    public String toString() {
        return "SharedSecret[redacted]";
    }
}
