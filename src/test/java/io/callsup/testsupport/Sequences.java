package io.callsup.testsupport;

import java.util.List;

/** Order checks for coalesced triggers. */
public final class Sequences {

    private Sequences() {
    }

    /**
     * True when {@code applied} picks, in order, entries of {@code perTrigger} (the state after each
     * trigger), and ends with the last one: what applying a queue in arrival order, taking queued
     * triggers together, may record.
     */
    public static <T> boolean isInOrderSubsequence(List<T> applied, List<T> perTrigger) {
        int at = -1;
        for (T m : applied) {
            do {
                at++;
            } while (at < perTrigger.size() && !perTrigger.get(at).equals(m));
            if (at >= perTrigger.size()) {
                return false;
            }
        }
        return applied.isEmpty() || at == perTrigger.size() - 1;
    }
}
