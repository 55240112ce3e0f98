package io.callsup.security;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** An unknown username costs one PBKDF2 like a known one, so timing does not tell them apart. */
class PasswordHasherTest {

    private static final int ROUNDS = 60_000;

    private static SecurityConfig config() {
        return new SecurityConfig() {
            @Override
            public int passwordHashIterations() {
                return ROUNDS;
            }

            @Override
            public BootstrapAdmin bootstrapAdmin() {
                return new BootstrapAdmin() {
                    @Override
                    public Optional<String> username() {
                        return Optional.empty();
                    }

                    @Override
                    public Optional<String> password() {
                        return Optional.empty();
                    }
                };
            }
        };
    }

    @Test
    void dummyVerificationCostsWhatARealOneCosts() {
        PasswordHasher hasher = new PasswordHasher(config());
        String stored = hasher.hash("the-real-password");
        hasher.verifyDummy("warm-up");
        long[] known = new long[7];
        long[] unknown = new long[7];
        for (int i = 0; i < known.length; i++) {
            long t0 = System.nanoTime();
            assertThat(hasher.verify("wrong-" + i, stored)).isFalse();
            long t1 = System.nanoTime();
            hasher.verifyDummy("wrong-" + i);
            long t2 = System.nanoTime();
            known[i] = t1 - t0;
            unknown[i] = t2 - t1;
        }
        Arrays.sort(known);
        Arrays.sort(unknown);
        double ratio = (double) unknown[3] / known[3];
        // Same algorithm and rounds: medians within a factor of 2 even on a busy 2-core machine;
        // before the dummy hash, an unknown name answered about 15 times faster.
        assertThat(ratio).as("median unknown/known = %s", ratio).isBetween(0.5, 2.0);
    }
}
