package io.callsup.media;

/**
 * A supervision media operation was refused or failed; anything it had done was rolled back
 * (see {@link #rolledBack()}), and the agent/client audio path is untouched.
 */
public class MediaPlanException extends MediaException {
    private final boolean rolledBack;

    public MediaPlanException(String message, boolean rolledBack, Throwable cause) {
        super(message, cause);
        this.rolledBack = rolledBack;
    }

    public MediaPlanException(String message) {
        super(message);
        this.rolledBack = true;
    }

    /** True when every undo step succeeded (or nothing needed undoing). */
    public boolean rolledBack() {
        return rolledBack;
    }
}
