package io.callsup.media;

/**
 * Base of every failure of the media layer. Subclasses say what went wrong; the message is meant
 * for logs and operators.
 */
public class MediaException extends RuntimeException {
    public MediaException(String message) {
        super(message);
    }

    public MediaException(String message, Throwable cause) {
        super(message, cause);
    }
}
