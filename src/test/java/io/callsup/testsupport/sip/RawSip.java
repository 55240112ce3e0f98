package io.callsup.testsupport.sip;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hand-written SIP over UDP from one local socket: for requests no well-behaved phone (SIPp) sends.
 * Messages are sent as given, byte for byte (bytes above 0x7f and control characters included):
 * callers write {@code \r\n} themselves.
 */
public final class RawSip implements AutoCloseable {

    private static final Pattern STATUS = Pattern.compile("^SIP/2\\.0 (\\d{3}) ?([^\\r\\n]*)");
    private static final Pattern BRANCH = Pattern.compile("(?im)^Via:[^\\r\\n]*;branch=([^;\\r\\n ]+)");

    private final DatagramSocket socket;

    /** A socket on {@code bindAddress} (any 127.x.y.z works on Linux: another source for the flood limit). */
    public RawSip(String bindAddress) {
        try {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(bindAddress), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** host:port of this socket, for Via and Contact. */
    public String local() {
        return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
    }

    public static String branch() {
        return "z9hG4bK" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    public static String token() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    /** A final or provisional answer. */
    public record Reply(int code, String reason, String raw) {
        public String header(String name) {
            Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + "\\s*:\\s*([^\\r\\n]*)").matcher(raw);
            return m.find() ? m.group(1).trim() : null;
        }

        @Override
        public String toString() {
            return code + " " + reason;
        }
    }

    public void send(byte[] message, int port) {
        try {
            socket.send(new DatagramPacket(message, message.length, InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends {@code message} and waits for the first final answer carrying its Via branch (answers to
     * other requests, and provisional ones, are skipped). Null when none comes within {@code wait}.
     * A final answer to an INVITE is ACKed, so the transaction does not retransmit it.
     */
    public Reply request(byte[] message, int port, Duration wait) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        Matcher b = BRANCH.matcher(text);
        String branch = b.find() ? b.group(1) : null;
        send(message, port);
        long deadline = System.nanoTime() + wait.toNanos();
        byte[] buf = new byte[65535];
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return null;
                }
                socket.setSoTimeout((int) left);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                String raw = new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
                Matcher s = STATUS.matcher(raw);
                if (!s.find()) {
                    continue;
                }
                Matcher rb = BRANCH.matcher(raw);
                if (branch != null && (!rb.find() || !rb.group(1).equals(branch))) {
                    continue;
                }
                int code = Integer.parseInt(s.group(1));
                if (code < 200) {
                    continue;
                }
                Reply reply = new Reply(code, s.group(2), raw);
                if (text.startsWith("INVITE ")) {
                    ack(text, reply, port);
                }
                return reply;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Reply request(String message, int port, Duration wait) {
        return request(message.getBytes(StandardCharsets.ISO_8859_1), port, wait);
    }

    /**
     * As {@link #request}, answering a 401/407 challenge once with digest credentials (MD5, no qop,
     * as Kamailio challenges): the same request again with CSeq + 1, a new branch and the answer.
     */
    public Reply requestWithAuth(String message, String user, String password, int port, Duration wait) {
        Reply first = request(message, port, wait);
        if (first == null || first.code() != 407 && first.code() != 401) {
            return first;
        }
        String challenge = first.header(first.code() == 407 ? "Proxy-Authenticate" : "WWW-Authenticate");
        String realm = param(challenge, "realm");
        String nonce = param(challenge, "nonce");
        String method = message.substring(0, message.indexOf(' '));
        String uri = message.substring(method.length() + 1, message.indexOf(' ', method.length() + 1));
        String response = md5(md5(user + ":" + realm + ":" + password) + ":" + nonce + ":" + md5(method + ":" + uri));
        String header = (first.code() == 407 ? "Proxy-Authorization" : "Authorization") + ": Digest username=\""
                + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri + "\", response=\""
                + response + "\", algorithm=MD5\r\n";
        String again = BRANCH.matcher(message).replaceFirst(m -> m.group().replace(m.group(1), branch()));
        again = bumpCSeq(again);
        int headersEnd = again.indexOf("\r\n\r\n");
        again = again.substring(0, headersEnd + 2) + header + again.substring(headersEnd + 2);
        return request(again, port, wait);
    }

    private static String bumpCSeq(String message) {
        Matcher m = Pattern.compile("(?im)^CSeq:\\s*(\\d+)").matcher(message);
        if (!m.find()) {
            return message;
        }
        long next = Long.parseLong(m.group(1)) + 1;
        return message.substring(0, m.start(1)) + next + message.substring(m.end(1));
    }

    /** ACK for a final answer to an INVITE (same branch; To with the answer's tag). */
    private void ack(String invite, Reply reply, int port) {
        if (reply.code() < 300) {
            return;
        }
        String uri = invite.substring("INVITE ".length(), invite.indexOf(' ', "INVITE ".length()));
        StringBuilder ack = new StringBuilder("ACK ").append(uri).append(" SIP/2.0\r\n");
        for (String line : invite.substring(0, invite.indexOf("\r\n\r\n")).split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("via:") || lower.startsWith("from:") || lower.startsWith("call-id:")
                    || lower.startsWith("max-forwards:")) {
                ack.append(line).append("\r\n");
            } else if (lower.startsWith("cseq:")) {
                ack.append(line.replaceAll("(?i)INVITE", "ACK")).append("\r\n");
            }
        }
        String to = reply.header("To");
        ack.append("To: ").append(to == null ? "" : to).append("\r\nContent-Length: 0\r\n\r\n");
        send(ack.toString().getBytes(StandardCharsets.ISO_8859_1), port);
    }

    private static String param(String header, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(header == null ? "" : header);
        return m.find() ? m.group(1) : "";
    }

    static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
