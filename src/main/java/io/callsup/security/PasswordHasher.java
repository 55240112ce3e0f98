package io.callsup.security;

import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Hashes API passwords with PBKDF2 (in the JDK, so nothing native-hostile), and computes the SIP
 * digest HA1 values that Kamailio's auth_db compares against.
 */
@ApplicationScoped
public class PasswordHasher {

    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final String SCHEME = "pbkdf2-sha256";

    private final SecurityConfig config;
    // Created per instance, not in a static initialiser, so a native image does not freeze its seed.
    private final SecureRandom random = new SecureRandom();

    public PasswordHasher(SecurityConfig config) {
        this.config = config;
    }

    public String hash(String password) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        int iterations = config.passwordHashIterations();
        byte[] hash = pbkdf2(password, salt, iterations);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    private volatile String dummy;

    /**
     * Verifies against a hash of a random password with the configured rounds, so that asking about
     * an unknown username costs what asking about a known one does.
     */
    public void verifyDummy(String password) {
        String d = dummy;
        if (d == null) {
            byte[] random = new byte[24];
            this.random.nextBytes(random);
            d = hash(Base64.getEncoder().encodeToString(random));
            dummy = d;
        }
        verify(password, d);
    }

    public boolean verify(String password, String stored) {
        String[] parts = stored.split("\\$");
        if (parts.length != 4 || !SCHEME.equals(parts[0])) {
            return false;
        }
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] expected = b64.decode(parts[3]);
        byte[] actual = pbkdf2(password, b64.decode(parts[2]), Integer.parseInt(parts[1]));
        return MessageDigest.isEqual(expected, actual);
    }

    /** HA1 = MD5(username:realm:password), with the customer's SIP domain as the digest realm. */
    public static String ha1(String username, String domain, String password) {
        return md5Hex(username + ":" + domain + ":" + password);
    }

    /** HA1b = MD5(username@domain:realm:password), for phones that send the domain in the username. */
    public static String ha1b(String username, String domain, String password) {
        return md5Hex(username + "@" + domain + ":" + domain + ":" + password);
    }

    private static String md5Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is required by SIP digest and must exist", e);
        }
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is part of every JDK and must exist", e);
        }
    }
}
