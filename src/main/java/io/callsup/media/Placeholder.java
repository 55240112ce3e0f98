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
    private static final Pattern M_AUDIO = Pattern.compile("(?m)^m=audio \\d+ ");
    private static final Pattern O_LINE = Pattern.compile("(?m)^o=.*$");

    private Placeholder() {
    }

    /**
     * The placeholder's answer to rtpengine's offer: the same codecs (so telephone-event stays
     * negotiated towards the supervisor) and mids, sendrecv, at {@code at}; no ICE or RTCP lines.
     */
    static String answer(String offerToPlaceholder, NgAddress at) {
        String sdp = M_AUDIO.matcher(offerToPlaceholder).replaceFirst(Matcher.quoteReplacement(
                "m=audio " + at.port() + " "));
        sdp = O_LINE.matcher(sdp).replaceFirst(Matcher.quoteReplacement("o=- 1 1 " + net(at)));
        StringBuilder out = new StringBuilder();
        for (String line : sdp.split("\r\n")) {
            if (line.startsWith("a=rtcp:") || line.startsWith("a=ice-") || line.startsWith("a=candidate")
                    || line.equals("a=sendonly") || line.equals("a=recvonly") || line.equals("a=inactive")) {
                continue;
            }
            out.append(line).append("\r\n");
        }
        return C_LINE.matcher(out.toString()).replaceAll(Matcher.quoteReplacement("c=" + net(at)));
    }

    /**
     * An offer from the placeholder with what a phone may pick from: G.722 first (wideband; the mix
     * is clean and wideband in G.722 with the rtpengine fixes of rtpengine/, MixerG722Test), then
     * PCMU, PCMA, telephone-event.
     */
    static String offer(NgAddress at) {
        return "v=0\r\no=- 1 1 " + net(at) + "\r\ns=callsup\r\n" + "c=" + net(at) + "\r\nt=0 0\r\n"
                + "m=audio " + at.port() + " RTP/AVP 9 0 8 101\r\n"
                + "a=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
                + "a=sendrecv\r\na=ptime:20\r\n";
    }

    private static String net(NgAddress at) {
        return (at.host().indexOf(':') >= 0 ? "IN IP6 " : "IN IP4 ") + at.host();
    }
}
