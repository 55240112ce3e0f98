package io.callsup.media;

import java.time.Duration;

/** No reply from rtpengine after every attempt (the same cookie is re-sent on each retry). */
public class RtpengineTimeoutException extends MediaException {
    private final String command;
    private final String daemon;

    public RtpengineTimeoutException(String daemon, String command, int attempts, Duration perAttempt) {
        super("rtpengine " + daemon + " did not answer '" + command + "' after " + attempts + " attempts of "
                + perAttempt.toMillis() + " ms (is the daemon running?)");
        this.daemon = daemon;
        this.command = command;
    }

    public String command() {
        return command;
    }

    public String daemon() {
        return daemon;
    }
}
