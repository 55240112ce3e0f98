package io.callsup.e2e;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.callsup.testsupport.sip.RawSip;

/** The format of src/test/resources/sip/hostile-corpus.txt (described at its top). */
final class SipCorpus {

    private SipCorpus() {
    }

    /** One input: its name, the expected answer (code 0 = none) and the message template. */
    record Entry(String name, int code, String reason, boolean auth, String to, int audit, String message) {
        boolean expectsNone() {
            return code == 0;
        }
    }

    static List<Entry> parse(String text) {
        List<Entry> entries = new ArrayList<>();
        String[] blocks = text.split("(?m)^=== ");
        for (int i = 1; i < blocks.length; i++) {
            String block = blocks[i];
            String name = block.substring(0, block.indexOf('\n')).trim();
            int sep = block.indexOf("\n---\n");
            if (sep < 0) {
                throw new IllegalArgumentException("corpus entry '" + name + "' has no --- line");
            }
            int code = -1;
            String reason = null;
            boolean auth = false;
            String to = "proxy";
            int audit = 0;
            for (String line : block.substring(block.indexOf('\n') + 1, sep).split("\n")) {
                String[] kv = line.split(":", 2);
                String value = kv.length > 1 ? kv[1].trim() : "";
                switch (kv[0].trim()) {
                    case "expect" -> {
                        if (value.equals("none")) {
                            code = 0;
                        } else {
                            String[] parts = value.split(" ", 2);
                            code = Integer.parseInt(parts[0]);
                            reason = parts.length > 1 ? parts[1] : null;
                        }
                    }
                    case "auth" -> auth = value.equals("yes");
                    case "to" -> to = value;
                    case "audit" -> audit = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("corpus entry '" + name + "': unknown line " + line);
                }
            }
            if (code < 0) {
                throw new IllegalArgumentException("corpus entry '" + name + "' has no expect line");
            }
            // Comment lines between entries belong to no message.
            String message = block.substring(sep + 5).replaceAll("(?m)^#.*\\n?", "").stripTrailing();
            entries.add(new Entry(name, code, reason, auth, to, audit, message));
        }
        return entries;
    }

    /** The values placeholders stand for; {@link #expand} turns a template into the bytes to send. */
    record Values(String local, String domain, String user, String sip, String mc, String legCallId,
                  String legPhoneTag, String legMcTag) {

        int mcPort() {
            return Integer.parseInt(mc.substring(mc.lastIndexOf(':') + 1));
        }

        String expand(String template) {
            String t = template
                    .replace("{sdp}", "v=0\no=x 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n"
                            + "m=audio 9 RTP/AVP 0\na=rtpmap:0 PCMU/8000\na=sendrecv")
                    .replace("{local}", local).replace("{domain}", domain)
                    .replace("{DOMAIN}", domain.toUpperCase(Locale.ROOT)).replace("{user}", user)
                    .replace("{sip}", sip).replace("{mc}", mc)
                    .replace("{leg.callid.upper}", legCallId.toUpperCase(Locale.ROOT))
                    .replace("{leg.callid}", legCallId)
                    .replace("{leg.phonetag}", legPhoneTag)
                    .replace("{leg.mctag.half}", legMcTag.substring(0, legMcTag.length() / 2))
                    .replace("{leg.mctag}", legMcTag);
            t = replaceEach(t, "\\{branch\\}", m -> RawSip.branch());
            t = replaceEach(t, "\\{callid\\}", m -> UUID.randomUUID() + "@corpus");
            t = replaceEach(t, "\\{tag\\}", m -> RawSip.token());
            t = replaceEach(t, "\\{rep:(.):(\\d+)\\}", m -> m.group(1).repeat(Integer.parseInt(m.group(2))));
            int split = t.indexOf("\n\n");
            String headers = split < 0 ? t : t.substring(0, split);
            String body = split < 0 ? "" : t.substring(split + 2);
            headers = headers.replace("\n", "\r\n") + "\r\n\r\n";
            body = body.isEmpty() ? "" : body.replace("\n", "\r\n") + "\r\n";
            body = replaceEach(body, "\\{hex:([0-9a-fA-F]{2})\\}", m -> String.valueOf((char) Integer.parseInt(m.group(1), 16)));
            headers = replaceEach(headers, "\\{hex:([0-9a-fA-F]{2})\\}", m -> String.valueOf((char) Integer.parseInt(m.group(1), 16)));
            headers = headers.replace("{len}", Integer.toString(body.getBytes(StandardCharsets.ISO_8859_1).length));
            return headers + body;
        }

        private static String replaceEach(String s, String regex, java.util.function.Function<Matcher, String> f) {
            Matcher m = Pattern.compile(regex).matcher(s);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, Matcher.quoteReplacement(f.apply(m)));
            }
            m.appendTail(out);
            return out.toString();
        }
    }
}
