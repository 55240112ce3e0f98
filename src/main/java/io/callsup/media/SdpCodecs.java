package io.callsup.media;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The codecs of an SDP's first audio stream, in the sender's order of preference, and that SDP
 * cut down to a set of payload types. Only what the supervisor's leg needs: one audio stream.
 */
final class SdpCodecs {
    private static final Pattern M_AUDIO = Pattern.compile("(?m)^m=audio (\\d+) (\\S+)((?: \\d+)*)\\s*$");
    private static final Pattern RTPMAP = Pattern.compile("^a=rtpmap:(\\d+) ([^/\\s]+)/(\\d+)(?:/(\\d+))?\\s*$");
    private static final Pattern PT_ATTRIBUTE = Pattern.compile("^a=(?:rtpmap|fmtp|rtcp-fb):(\\d+)[ ].*$");
    /** RFC 3551's static audio payload types that a phone may list without an rtpmap. */
    private static final Map<Integer, Codec> STATIC = Map.of(
            0, new Codec(0, "PCMU", 8000, 1), 3, new Codec(3, "GSM", 8000, 1), 4, new Codec(4, "G723", 8000, 1),
            8, new Codec(8, "PCMA", 8000, 1), 9, new Codec(9, "G722", 8000, 1), 18, new Codec(18, "G729", 8000, 1));

    private SdpCodecs() {
    }

    /** One payload type of the stream. {@code name} as the SDP spells it (case kept). */
    record Codec(int pt, String name, int clockRate, int channels) {
        boolean is(String encoding) {
            return name.equalsIgnoreCase(encoding);
        }

        boolean telephoneEvent() {
            return is("telephone-event");
        }

        /** How rtpengine's query names a stream's codec, e.g. {@code G722/8000}, {@code opus/48000/2}. */
        static Codec fromQuery(String spec) {
            String[] p = spec.split("/");
            return new Codec(-1, p[0], p.length > 1 ? parseInt(p[1], 8000) : 8000, p.length > 2 ? parseInt(p[2], 1) : 1);
        }
    }

    /** The first audio stream's codecs in m-line order; empty when there is no audio stream. */
    static List<Codec> audio(String sdp) {
        if (sdp == null) {
            return List.of();
        }
        Matcher m = M_AUDIO.matcher(sdp);
        if (!m.find()) {
            return List.of();
        }
        Map<Integer, Codec> mapped = new HashMap<>();
        for (String line : section(sdp, m.start())) {
            Matcher r = RTPMAP.matcher(line);
            if (r.matches()) {
                int pt = Integer.parseInt(r.group(1));
                mapped.put(pt, new Codec(pt, r.group(2), Integer.parseInt(r.group(3)),
                        r.group(4) == null ? 1 : Integer.parseInt(r.group(4))));
            }
        }
        List<Codec> out = new ArrayList<>();
        for (String f : m.group(3).trim().split(" +")) {
            if (f.isEmpty()) {
                continue;
            }
            int pt = parseInt(f, -1);
            Codec c = mapped.getOrDefault(pt, STATIC.get(pt));
            out.add(c != null ? c : new Codec(pt, "unknown", 8000, 1));
        }
        return out;
    }

    /**
     * The SDP with its first audio stream limited to {@code keep} (m-line and the rtpmap, fmtp and
     * rtcp-fb lines of every other payload type dropped). The order of {@code keep} is ignored: the
     * SDP's own order stays.
     */
    static String restrict(String sdp, Set<Integer> keep) {
        String[] lines = sdp.split("\r?\n");
        StringBuilder out = new StringBuilder();
        boolean inAudio = false;
        boolean done = false;
        for (String line : lines) {
            if (line.startsWith("m=")) {
                inAudio = !done && line.startsWith("m=audio ");
                if (inAudio) {
                    done = true;
                    String[] f = line.trim().split(" +");
                    StringBuilder m = new StringBuilder(f[0] + " " + f[1] + " " + f[2]);
                    for (int i = 3; i < f.length; i++) {
                        if (keep.contains(parseInt(f[i], -1))) {
                            m.append(' ').append(f[i]);
                        }
                    }
                    line = m.toString();
                }
            } else if (inAudio) {
                Matcher a = PT_ATTRIBUTE.matcher(line);
                if (a.matches() && !keep.contains(Integer.parseInt(a.group(1)))) {
                    continue;
                }
            }
            out.append(line).append("\r\n");
        }
        if (!done) {
            throw new IllegalArgumentException("no audio stream");
        }
        return out.toString();
    }

    private static List<String> section(String sdp, int from) {
        String rest = sdp.substring(from);
        int next = rest.indexOf("\nm=", 1);
        return List.of((next < 0 ? rest : rest.substring(0, next)).split("\r?\n"));
    }

    private static int parseInt(String s, int fallback) {
        try {
            return Integer.parseInt(s.trim().toLowerCase(Locale.ROOT));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
