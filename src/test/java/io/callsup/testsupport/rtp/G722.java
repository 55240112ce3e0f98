package io.callsup.testsupport.rtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * G.722 (PT 9, 16 kHz audio, 8000 RTP clock) for test endpoints, through ffmpeg's encoder and
 * decoder (Debian's ffmpeg, installed by bin/provision): no maintained pure-Java G.722 codec is on
 * Maven Central, and measuring with the same decoder a phone's stack would use is the point.
 */
public final class G722 {
    public static final int PT = 9;
    public static final int SAMPLE_RATE = 16000;
    /** 20 ms of G.722 at 64 kbit/s: one byte per two 16 kHz samples. */
    public static final int BYTES_PER_PACKET = 160;

    private static final ConcurrentHashMap<String, byte[]> TONES = new ConcurrentHashMap<>();

    private G722() {
    }

    /**
     * {@code seconds} of a steady sine at {@code hz} with peak {@code amplitude} (of 32767), G.722
     * encoded. Tones that complete whole cycles in 20 ms (multiples of 50 Hz) loop without a seam.
     */
    public static byte[] tone(double hz, double amplitude, int seconds) {
        String key = hz + "/" + amplitude + "/" + seconds;
        return TONES.computeIfAbsent(key, k -> ffmpeg(new byte[0], "-f", "lavfi", "-i",
                String.format(Locale.ROOT, "aevalsrc=%.6f*sin(2*PI*%s*t):s=16000:d=%d", amplitude / 32768.0,
                        stripZero(hz), seconds),
                "-acodec", "g722", "-f", "g722", "pipe:1"));
    }

    /** Decodes a G.722 byte stream (payloads in order) to 16 kHz linear samples. */
    public static short[] decode(byte[] g722) {
        if (g722.length == 0) {
            return new short[0];
        }
        byte[] pcm = ffmpeg(g722, "-f", "g722", "-i", "pipe:0", "-f", "s16le", "-ar", "16000", "pipe:1");
        short[] out = new short[pcm.length / 2];
        ByteBuffer.wrap(pcm).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        return out;
    }

    /** Encodes 16 kHz linear samples. */
    public static byte[] encode(short[] pcm) {
        ByteBuffer b = ByteBuffer.allocate(pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(pcm);
        return ffmpeg(b.array(), "-f", "s16le", "-ar", "16000", "-ac", "1", "-i", "pipe:0", "-acodec", "g722", "-f",
                "g722", "pipe:1");
    }

    /** Payloads of the G.722 packets among {@code packets}, decoded as one stream. */
    public static short[] decode(List<RtpEndpoint.Rx> packets) {
        // A new SSRC is a new source (RFC 3550): a phone starts a fresh ADPCM decoder for it, as it
        // must, since the new encoder starts from its reset state. Decoding across the change with the
        // old state mistracks the new stream for hundreds of ms (rtpengine switches the SSRC when its
        // audio player takes over a leg, at a join, and back when the last supervisor leaves).
        java.util.List<short[]> runs = new java.util.ArrayList<>();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        long ssrc = -1;
        for (RtpEndpoint.Rx r : packets) {
            if (r.pt() != PT) {
                continue;
            }
            if (r.ssrc() != ssrc && b.size() > 0) {
                runs.add(decode(b.toByteArray()));
                b.reset();
            }
            ssrc = r.ssrc();
            b.writeBytes(r.payload());
        }
        if (b.size() > 0) {
            runs.add(decode(b.toByteArray()));
        }
        short[] out = new short[runs.stream().mapToInt(x -> x.length).sum()];
        int o = 0;
        for (short[] x : runs) {
            System.arraycopy(x, 0, out, o, x.length);
            o += x.length;
        }
        return out;
    }

    private static String stripZero(double hz) {
        return hz == Math.rint(hz) ? Long.toString((long) hz) : Double.toString(hz);
    }

    static byte[] ffmpeg(byte[] stdin, String... args) {
        String[] cmd = new String[args.length + 4];
        cmd[0] = "ffmpeg";
        cmd[1] = "-v";
        cmd[2] = "error";
        cmd[3] = "-y";
        System.arraycopy(args, 0, cmd, 4, args.length);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new IllegalStateException("G.722 tests need ffmpeg (Debian package ffmpeg, installed by bin/provision)",
                    e);
        }
        try {
            CompletableFuture<Void> in = CompletableFuture.runAsync(() -> {
                try (OutputStream o = p.getOutputStream()) {
                    o.write(stdin);
                } catch (IOException e) {
                    // ffmpeg exits early on bad input; its exit status and stderr tell why
                }
            });
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            byte[] out = readAll(p.getInputStream());
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("ffmpeg did not finish: " + String.join(" ", cmd));
            }
            in.join();
            if (p.exitValue() != 0) {
                throw new IllegalStateException("ffmpeg failed (" + p.exitValue() + "): " + String.join(" ", cmd)
                        + "\n" + new String(err.join()));
            }
            return out;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream s) {
        try (s) {
            return s.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
