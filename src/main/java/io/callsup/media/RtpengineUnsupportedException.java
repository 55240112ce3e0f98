package io.callsup.media;

/** The daemon answers but lacks what supervision needs (rtpengine >= 26). */
public class RtpengineUnsupportedException extends MediaException {
    public RtpengineUnsupportedException(String message) {
        super(message);
    }
}
