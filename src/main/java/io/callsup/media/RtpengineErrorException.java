package io.callsup.media;

/** rtpengine answered {@code result: error}; {@link #errorReason()} is its {@code error-reason}. */
public class RtpengineErrorException extends MediaException {
    private final String command;
    private final String errorReason;
    private final String daemon;

    public RtpengineErrorException(String daemon, String command, String errorReason) {
        super("rtpengine " + daemon + " rejected '" + command + "': " + errorReason);
        this.daemon = daemon;
        this.command = command;
        this.errorReason = errorReason;
    }

    public String command() {
        return command;
    }

    public String errorReason() {
        return errorReason;
    }

    public String daemon() {
        return daemon;
    }

    /** rtpengine's reason for a call-id it does not know. */
    public boolean isUnknownCall() {
        return errorReason != null && errorReason.toLowerCase(java.util.Locale.ROOT).contains("unknown call-id");
    }
}
