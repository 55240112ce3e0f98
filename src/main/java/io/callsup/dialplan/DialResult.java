package io.callsup.dialplan;

import io.callsup.model.SupervisionMode;

/** What a dialled string means under a customer's rule. */
public sealed interface DialResult {

    /** A well-formed supervision code: join {@code extension}'s call in {@code mode}. */
    record Supervise(SupervisionMode mode, String extension) implements DialResult {
    }

    /** The string does not start with any supervision prefix; it is somebody else's business. */
    record NotSupervision() implements DialResult {
    }

    /** It starts with a supervision prefix but what follows is not an extension. */
    record Malformed(SupervisionMode mode, String reason) implements DialResult {
    }
}
