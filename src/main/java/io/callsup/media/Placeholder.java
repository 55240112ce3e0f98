package io.callsup.media;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SDP of a supervisor's placeholder party: the far end of the supervisor's offer/answer pair in
 * rtpengine. It exists so that the supervisor's leg is negotiated by offer/answer (which keeps
 * telephone-event, unlike {@code publish}); no media is ever sent to it.
 */
final class Placeholder {
    private static final Pattern C_LINE = Pattern.compile("(?m)^c=IN IP[46] \\S+");

    private Placeholder() {
    }

    /** The placeholder's answer to rtpengine's offer: same codecs and mids, at {@code at}. */
    static String answer(String offerToPlaceholder, NgAddress at) {
        String sdp = MediaPlan.placeholderAnswer(offerToPlaceholder).replaceFirst("(?m)^m=audio 9 ",
                "m=audio " + at.port() + " ");
        return C_LINE.matcher(sdp).replaceAll(Matcher.quoteReplacement("c=" + net(at)));
    }

    /** An offer from the placeholder with what a phone may pick from: PCMU, PCMA, telephone-event. */
    static String offer(NgAddress at) {
        return "v=0\r\no=- 1 1 " + net(at) + "\r\ns=callsup\r\n" + "c=" + net(at) + "\r\nt=0 0\r\n"
                + "m=audio " + at.port() + " RTP/AVP 0 8 101\r\n"
                + "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
                + "a=sendrecv\r\na=ptime:20\r\n";
    }

    private static String net(NgAddress at) {
        return (at.host().indexOf(':') >= 0 ? "IN IP6 " : "IN IP4 ") + at.host();
    }
}
