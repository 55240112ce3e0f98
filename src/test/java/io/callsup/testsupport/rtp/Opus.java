package io.callsup.testsupport.rtp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opus (RFC 7587: dynamic PT, 48000 RTP clock, one raw Opus packet per RTP payload) for test
 * endpoints, through ffmpeg's libopus encoder and decoder. ffmpeg has no raw-Opus format, so the
 * packets cross to and from ffmpeg in an Ogg stream (RFC 7845), muxed and demuxed here: the few
 * lines of Ogg framing are less to trust than a second codec implementation, and no pure-Java Opus
 * library is available offline.
 */
public final class Opus {
    public static final int RATE = 48000;
    /** 20 ms at 48 kHz: the RTP timestamp step per packet. */
    public static final int SAMPLES = 960;

    private static final ConcurrentHashMap<String, List<byte[]>> TONES = new ConcurrentHashMap<>();
    private static final int[] CRC = crcTable();

    private Opus() {
    }

    /** {@code seconds} of a steady sine at {@code hz} with peak {@code amplitude} (of 32767), as 20 ms Opus packets. */
    public static List<byte[]> tone(double hz, double amplitude, int seconds) {
        String key = hz + "/" + amplitude + "/" + seconds;
        return TONES.computeIfAbsent(key, k -> oggPackets(G722.ffmpeg(new byte[0], "-f", "lavfi", "-i",
                String.format(Locale.ROOT, "aevalsrc=%.6f*sin(2*PI*%.3f*t):s=48000:d=%d", amplitude / 32768.0, hz,
                        seconds),
                "-c:a", "libopus", "-b:a", "64k", "-frame_duration", "20", "-application", "audio", "-f", "ogg",
                "pipe:1")));
    }

    /** Payloads of the packets with {@code pt} among {@code packets}, decoded as one stream to 48 kHz mono. */
    public static short[] decode(List<RtpEndpoint.Rx> packets, int pt) {
        List<byte[]> opus = new ArrayList<>();
        for (RtpEndpoint.Rx r : packets) {
            if (r.pt() == pt && r.payload().length > 0) {
                opus.add(r.payload());
            }
        }
        if (opus.isEmpty()) {
            return new short[0];
        }
        byte[] pcm = G722.ffmpeg(ogg(opus), "-f", "ogg", "-c:a", "libopus", "-i", "pipe:0", "-f", "s16le", "-ac", "1",
                "-ar", "48000", "pipe:1");
        short[] out = new short[pcm.length / 2];
        ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        return out;
    }

    /** Samples (at 48 kHz) one Opus packet decodes to, from its TOC byte (RFC 6716 section 3.1). */
    public static int samples(byte[] packet) {
        int config = (packet[0] & 0xff) >> 3;
        int frame;
        if (config < 12) {
            frame = new int[] {480, 960, 1920, 2880}[config % 4];
        } else if (config < 16) {
            frame = config % 2 == 0 ? 480 : 960;
        } else {
            frame = new int[] {120, 240, 480, 960}[config % 4];
        }
        int code = packet[0] & 3;
        int frames = code == 0 ? 1 : code < 3 ? 2 : packet.length > 1 ? packet[1] & 0x3f : 1;
        return frame * frames;
    }

    /** An Ogg Opus stream (one packet per page, no pre-skip so output lines up with the input packets). */
    static byte[] ogg(List<byte[]> packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer head = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
        head.put("OpusHead".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 2).putShort((short) 0)
                .putInt(RATE).putShort((short) 0).put((byte) 0);
        int serial = 0x63616c6c;
        int seq = 0;
        page(out, serial, seq++, 0x02, 0, head.array());
        ByteBuffer tags = ByteBuffer.allocate(8 + 4 + 4 + 4).order(ByteOrder.LITTLE_ENDIAN);
        tags.put("OpusTags".getBytes(StandardCharsets.US_ASCII)).putInt(4)
                .put("test".getBytes(StandardCharsets.US_ASCII)).putInt(0);
        page(out, serial, seq++, 0, 0, tags.array());
        long granule = 0;
        for (int i = 0; i < packets.size(); i++) {
            granule += samples(packets.get(i));
            page(out, serial, seq++, i == packets.size() - 1 ? 0x04 : 0, granule, packets.get(i));
        }
        return out.toByteArray();
    }

    private static void page(ByteArrayOutputStream out, int serial, int seq, int flags, long granule, byte[] packet) {
        int lacing = packet.length / 255 + 1;
        ByteBuffer p = ByteBuffer.allocate(27 + lacing + packet.length).order(ByteOrder.LITTLE_ENDIAN);
        p.put("OggS".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) flags).putLong(granule)
                .putInt(serial).putInt(seq).putInt(0).put((byte) lacing);
        for (int i = 0; i < lacing - 1; i++) {
            p.put((byte) 255);
        }
        p.put((byte) (packet.length % 255));
        p.put(packet);
        byte[] b = p.array();
        int crc = 0;
        for (byte x : b) {
            crc = (crc << 8) ^ CRC[((crc >>> 24) ^ (x & 0xff)) & 0xff];
        }
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(22, crc);
        out.writeBytes(b);
    }

    /** The audio packets of an Ogg Opus stream (header packets dropped). */
    static List<byte[]> oggPackets(byte[] ogg) {
        List<byte[]> packets = new ArrayList<>();
        ByteArrayOutputStream cur = new ByteArrayOutputStream();
        int o = 0;
        while (o + 27 <= ogg.length) {
            if (ogg[o] != 'O' || ogg[o + 1] != 'g' || ogg[o + 2] != 'g' || ogg[o + 3] != 'S') {
                throw new IllegalStateException("not an Ogg page at " + o);
            }
            int segs = ogg[o + 26] & 0xff;
            int data = o + 27 + segs;
            for (int s = 0; s < segs; s++) {
                int len = ogg[o + 27 + s] & 0xff;
                cur.write(ogg, data, len);
                data += len;
                if (len < 255) {
                    packets.add(cur.toByteArray());
                    cur.reset();
                }
            }
            o = data;
        }
        return new ArrayList<>(packets.subList(Math.min(2, packets.size()), packets.size()));
    }

    private static int[] crcTable() {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            int r = i << 24;
            for (int k = 0; k < 8; k++) {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04c11db7 : r << 1;
            }
            t[i] = r;
        }
        return t;
    }
}
