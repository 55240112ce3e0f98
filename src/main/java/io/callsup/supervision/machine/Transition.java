package io.callsup.supervision.machine;

import java.util.List;

/** The machine's answer: the new snapshot and the effects to run, in order. {@code changed} is false for an ignored trigger. */
public record Transition(SessionSnapshot next, List<Effect> effects, boolean changed) {

    static Transition ignore(SessionSnapshot s) {
        return new Transition(s, List.of(), false);
    }
}
