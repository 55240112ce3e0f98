package io.callsup.model;

/** The three ways a supervisor takes part in an agent's call. */
public enum SupervisionMode {
    SPY,
    WHISPER,
    BARGE
}
