package io.callsup.supervision;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * The supervisor's media tag in rtpengine. rtpengine's DTMF log names the sender only by call-id
 * and this tag, and the call-id is no secret, so the tag is what makes a forged digit datagram
 * miss: 128 random bits, never derived from an id the API shows.
 */
public final class SupervisorTags {

    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    /** 26 base32 characters carry 130 bits; 128 of them random. */
    private static final int CHARS = 26;
    private static final Pattern WELL_FORMED = Pattern.compile("sup-[a-z2-7]{" + CHARS + "}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private SupervisorTags() {
    }

    /** "sup-" + 26 characters: with rtpengine's placeholder suffix 41, well inside the 128 of the column. */
    public static String newTag() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        StringBuilder tag = new StringBuilder("sup-");
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                tag.append(BASE32[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            tag.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return tag.toString();
    }

    /** Whether {@code tag} has the shape of {@link #newTag()}: anything else is no supervisor of ours. */
    public static boolean wellFormed(String tag) {
        return tag != null && WELL_FORMED.matcher(tag).matches();
    }
}
