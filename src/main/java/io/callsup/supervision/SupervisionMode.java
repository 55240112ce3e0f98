package io.callsup.supervision;

public enum SupervisionMode {
    SPY,
    WHISPER,
    BARGE
}
