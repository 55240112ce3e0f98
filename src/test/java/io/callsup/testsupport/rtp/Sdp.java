package io.callsup.testsupport.rtp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Just enough SDP for single-audio-stream tests. */
public record Sdp(String address, int port, List<Integer> payloadTypes, Map<Integer, String> rtpmap, List<String> mids) {

    public static Sdp parse(String sdp) {
        String addr = null;
        int port = -1;
        List<Integer> pts = new ArrayList<>();
        Map<Integer, String> map = new LinkedHashMap<>();
        List<String> mids = new ArrayList<>();
        for (String line : sdp.split("\r?\n")) {
            if (line.startsWith("c=IN IP4 ")) {
                addr = line.substring(9).trim();
            } else if (line.startsWith("m=audio ")) {
                String[] p = line.split(" ");
                port = Integer.parseInt(p[1]);
                for (int i = 3; i < p.length; i++) {
                    pts.add(Integer.parseInt(p[i].trim()));
                }
            } else if (line.startsWith("a=rtpmap:")) {
                String[] p = line.substring(9).split(" ", 2);
                map.put(Integer.parseInt(p[0]), p[1].trim());
            } else if (line.startsWith("a=mid:")) {
                mids.add(line.substring(6).trim());
            }
        }
        if (addr == null || port < 0) {
            throw new IllegalArgumentException("no c=/m=audio in SDP:\n" + sdp);
        }
        return new Sdp(addr, port, pts, map, mids);
    }

    /** Payload type for an encoding name (e.g. "telephone-event", "PCMA"), honouring static PTs; -1 if absent. */
    public int pt(String encoding) {
        for (int pt : payloadTypes) {
            String m = rtpmap.get(pt);
            String name = m != null ? m.split("/")[0] : pt == 0 ? "PCMU" : pt == 8 ? "PCMA" : pt == 9 ? "G722" : "";
            if (name.equalsIgnoreCase(encoding)) {
                return pt;
            }
        }
        return -1;
    }

    /** First audio codec in the list that is PCMU or PCMA. */
    public int firstG711() {
        for (int pt : payloadTypes) {
            if (pt == 0 || pt == 8) {
                return pt;
            }
        }
        return -1;
    }

    /** An SDP for a test endpoint on 127.0.0.1. {@code codecs}: e.g. "PCMU", "PCMA", "G722", "telephone-event". */
    public static String make(int port, String mid, String... codecs) {
        StringBuilder m = new StringBuilder("m=audio " + port + " RTP/AVP");
        StringBuilder a = new StringBuilder();
        for (String c : codecs) {
            switch (c.toUpperCase(Locale.ROOT)) {
                case "PCMU" -> {
                    m.append(" 0");
                    a.append("a=rtpmap:0 PCMU/8000\r\n");
                }
                case "PCMA" -> {
                    m.append(" 8");
                    a.append("a=rtpmap:8 PCMA/8000\r\n");
                }
                case "G722" -> {
                    m.append(" 9");
                    a.append("a=rtpmap:9 G722/8000\r\n");
                }
                case "OPUS" -> {
                    m.append(" 96");
                    a.append("a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\n");
                }
                case "G729" -> {
                    m.append(" 18");
                    a.append("a=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n");
                }
                case "GSM" -> {
                    m.append(" 3");
                    a.append("a=rtpmap:3 GSM/8000\r\n");
                }
                case "TELEPHONE-EVENT" -> {
                    m.append(" 101");
                    a.append("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n");
                }
                default -> throw new IllegalArgumentException(c);
            }
        }
        return "v=0\r\no=- " + port + " 1 IN IP4 127.0.0.1\r\ns=test\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + m + "\r\n"
                + (mid != null ? "a=mid:" + mid + "\r\n" : "") + a + "a=sendrecv\r\na=ptime:20\r\n";
    }

    /** Answer to {@code offer} from a test endpoint that supports only {@code codec} (PCMU or PCMA) plus telephone-event if offered. */
    public static String answer(int port, Sdp offer, String codec) {
        int pt = offer.pt(codec);
        if (pt < 0) {
            throw new IllegalArgumentException(codec + " not offered: " + offer);
        }
        int te = offer.pt("telephone-event");
        StringBuilder m = new StringBuilder("m=audio " + port + " RTP/AVP " + pt);
        StringBuilder a = new StringBuilder("a=rtpmap:" + pt + " "
                + offer.rtpmap().getOrDefault(pt, codec.toUpperCase(Locale.ROOT) + "/8000") + "\r\n");
        if (te >= 0) {
            m.append(" ").append(te);
            a.append("a=rtpmap:").append(te).append(" telephone-event/8000\r\na=fmtp:").append(te).append(" 0-16\r\n");
        }
        String mid = offer.mids().isEmpty() ? "" : "a=mid:" + offer.mids().get(0) + "\r\n";
        return "v=0\r\no=- " + port + " 1 IN IP4 127.0.0.1\r\ns=test\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" + m + "\r\n"
                + mid + a + "a=sendrecv\r\na=ptime:20\r\n";
    }
}
