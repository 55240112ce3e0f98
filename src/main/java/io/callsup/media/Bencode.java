package io.callsup.media;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal bencode codec for the rtpengine ng protocol.
 * <p>
 * Java model: {@link String} (byte strings, UTF-8), {@link Long} (integers; any {@link Number}
 * is accepted when encoding), {@link List} and {@link Map} with String keys (insertion order kept;
 * rtpengine does not require sorted keys). Booleans are encoded as the strings "yes"/"no".
 */
public final class Bencode {

    /** Longest nesting accepted when decoding: guards the stack against hostile input. */
    static final int MAX_DEPTH = 32;

    private Bencode() {
    }

    public static byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        write(out, value);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, Object v) {
        if (v instanceof String s) {
            writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
        } else if (v instanceof byte[] b) {
            writeBytes(out, b);
        } else if (v instanceof Number n) {
            if (n instanceof Double || n instanceof Float) {
                throw new IllegalArgumentException("bencode has no floating point: " + n);
            }
            ascii(out, "i" + n.longValue() + "e");
        } else if (v instanceof Boolean b) {
            writeBytes(out, (b ? "yes" : "no").getBytes(StandardCharsets.US_ASCII));
        } else if (v instanceof Enum<?> e) {
            write(out, e.name());
        } else if (v instanceof List<?> l) {
            out.write('l');
            for (Object o : l) {
                write(out, o);
            }
            out.write('e');
        } else if (v instanceof Map<?, ?> m) {
            out.write('d');
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new IllegalArgumentException("bencode dictionary keys must be strings: " + e.getKey());
                }
                if (e.getValue() == null) {
                    continue; // absent rather than an invalid null
                }
                write(out, k);
                write(out, e.getValue());
            }
            out.write('e');
        } else if (v == null) {
            throw new IllegalArgumentException("bencode cannot encode null");
        } else {
            throw new IllegalArgumentException("bencode cannot encode " + v.getClass().getName());
        }
    }

    private static void writeBytes(ByteArrayOutputStream out, byte[] b) {
        ascii(out, Integer.toString(b.length));
        out.write(':');
        out.write(b, 0, b.length);
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        out.write(b, 0, b.length);
    }

    /** Decodes exactly one value spanning the whole input. */
    public static Object decode(byte[] data) {
        return decode(data, 0, data.length);
    }

    public static Object decode(byte[] data, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw new IndexOutOfBoundsException();
        }
        Parser p = new Parser(data, offset, offset + length);
        Object v = p.value(0);
        if (p.pos != p.end) {
            throw new BencodeException("trailing data at offset " + (p.pos - offset));
        }
        return v;
    }

    /** Decodes input that must be a dictionary. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> decodeDict(byte[] data, int offset, int length) {
        Object v = decode(data, offset, length);
        if (!(v instanceof Map)) {
            throw new BencodeException("expected a dictionary");
        }
        return (Map<String, Object>) v;
    }

    private static final class Parser {
        final byte[] b;
        int pos;
        final int end;

        Parser(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw new BencodeException("nesting deeper than " + MAX_DEPTH);
            }
            if (pos >= end) {
                throw new BencodeException("unexpected end of input");
            }
            byte c = b[pos];
            switch (c) {
                case 'i': {
                    pos++;
                    return integer('e');
                }
                case 'l': {
                    pos++;
                    List<Object> list = new ArrayList<>();
                    while (true) {
                        if (pos >= end) {
                            throw new BencodeException("unterminated list");
                        }
                        if (b[pos] == 'e') {
                            pos++;
                            return list;
                        }
                        list.add(value(depth + 1));
                    }
                }
                case 'd': {
                    pos++;
                    Map<String, Object> map = new LinkedHashMap<>();
                    while (true) {
                        if (pos >= end) {
                            throw new BencodeException("unterminated dictionary");
                        }
                        if (b[pos] == 'e') {
                            pos++;
                            return map;
                        }
                        if (b[pos] < '0' || b[pos] > '9') {
                            throw new BencodeException("dictionary key is not a string at offset " + pos);
                        }
                        String key = string();
                        map.put(key, value(depth + 1));
                    }
                }
                default:
                    if (c >= '0' && c <= '9') {
                        return string();
                    }
                    throw new BencodeException("unexpected byte 0x" + Integer.toHexString(c & 0xff) + " at offset " + pos);
            }
        }

        String string() {
            long len = integer(':');
            if (len < 0 || len > end - pos) {
                throw new BencodeException("string length " + len + " exceeds input");
            }
            String s = new String(b, pos, (int) len, StandardCharsets.UTF_8);
            pos += (int) len;
            return s;
        }

        /** Parses a decimal integer up to the terminator and consumes the terminator. */
        long integer(char terminator) {
            int start = pos;
            boolean neg = false;
            if (pos < end && b[pos] == '-' && terminator == 'e') {
                neg = true;
                pos++;
            }
            int digitsStart = pos;
            long v = 0;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                if (v > (Long.MAX_VALUE - 9) / 10) {
                    throw new BencodeException("integer too large at offset " + start);
                }
                v = v * 10 + (b[pos] - '0');
                pos++;
            }
            if (pos == digitsStart) {
                throw new BencodeException("expected digits at offset " + pos);
            }
            if (pos >= end || b[pos] != terminator) {
                throw new BencodeException("expected '" + terminator + "' at offset " + pos);
            }
            pos++;
            return neg ? -v : v;
        }
    }
}
