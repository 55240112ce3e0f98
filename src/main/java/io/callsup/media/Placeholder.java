package io.callsup.media;

import java.util.List;
import java.util.Map;
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

    /** Payload type and SDP lines of each codec the placeholder may offer (SupervisorCodecs' names). */
    private static final Map<String, String[]> OFFERABLE = Map.of(
            "G722", new String[] {"9", "a=rtpmap:9 G722/8000"},
            "opus", new String[] {"96", "a=rtpmap:96 opus/48000/2", "a=fmtp:96 useinbandfec=1"},
            "PCMU", new String[] {"0", "a=rtpmap:0 PCMU/8000"},
            "PCMA", new String[] {"8", "a=rtpmap:8 PCMA/8000"});

    /**
     * An offer from the placeholder with what a phone may pick from, in {@code order} (encoding
     * names, see {@link SupervisorCodecs#offerOrder}), then telephone-event.
     */
    static String offer(NgAddress at, List<String> order) {
        StringBuilder pts = new StringBuilder();
        StringBuilder attrs = new StringBuilder();
        for (String name : order) {
            String[] o = OFFERABLE.get(name);
            if (o == null) {
                throw new IllegalArgumentException("the placeholder cannot offer " + name);
            }
            pts.append(o[0]).append(' ');
            for (int i = 1; i < o.length; i++) {
                attrs.append(o[i]).append("\r\n");
            }
        }
        return "v=0\r\no=- 1 1 " + net(at) + "\r\ns=callsup\r\n" + "c=" + net(at) + "\r\nt=0 0\r\n"
                + "m=audio " + at.port() + " RTP/AVP " + pts + "101\r\n" + attrs
                + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
                + "a=sendrecv\r\na=ptime:20\r\n";
    }

    private static String net(NgAddress at) {
        return (at.host().indexOf(':') >= 0 ? "IN IP6 " : "IN IP4 ") + at.host();
    }
}
