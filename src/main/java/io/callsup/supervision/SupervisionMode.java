package io.callsup.supervision;

/** The three ways a supervisor takes part in an agent's call. */
public enum SupervisionMode {
    SPY,
    WHISPER,
    BARGE
}
