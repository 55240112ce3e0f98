package io.callsup.testsupport.rtp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one endpoint received over a window: decoded audio (G.711 at 8 kHz, or G.722 at 16 kHz
 * through ffmpeg's decoder), SSRCs, telephone-event packets.
 */
public final class Capture {
    private final String name;
    private final List<RtpEndpoint.Rx> packets;
    private final short[] audio;
    private final int rate;
    /** Goertzel block: 100 ms, so every multiple of 10 Hz falls on a bin. */
    private final int block;
    private final Set<Long> audioSsrcs = new LinkedHashSet<>();
    private final int nonAudioPackets;
    /** SSRCs seen in the packets decoded before the window and in it: more than one = a stream switch. */
    private final int ssrcsWithBefore;

    Capture(String name, List<RtpEndpoint.Rx> packets) {
        this(name, List.of(), packets);
    }

    /**
     * {@code before}: packets received just before the window. A G.722 decoder needs a few hundred
     * ms to adapt; a phone decodes from the start of the call, so these are decoded too and their
     * audio dropped, instead of measuring a decoder that starts cold inside the window.
     */
    Capture(String name, List<RtpEndpoint.Rx> before, List<RtpEndpoint.Rx> packets) {
        this(name, before, packets, -1);
    }

    /** As above; {@code opusPt}: the PT the endpoint receives Opus with, -1 = none. */
    Capture(String name, List<RtpEndpoint.Rx> before, List<RtpEndpoint.Rx> packets, int opusPt) {
        this.name = name;
        this.packets = packets;
        this.ssrcsWithBefore = (int) java.util.stream.Stream.concat(before.stream(), packets.stream())
                .map(RtpEndpoint.Rx::ssrc).distinct().count();
        if (opusPt >= 0 && packets.stream().anyMatch(r -> r.pt() == opusPt)) {
            this.rate = Opus.RATE;
            this.block = rate / 10;
            int other = 0;
            for (RtpEndpoint.Rx r : packets) {
                if (r.pt() == opusPt) {
                    audioSsrcs.add(r.ssrc());
                } else {
                    other++;
                }
            }
            nonAudioPackets = other;
            // decoded from before the window, as for G.722: Opus's decoder state carries across packets
            List<RtpEndpoint.Rx> all = new ArrayList<>(before);
            all.addAll(packets);
            short[] whole = Opus.decode(all, opusPt);
            int warm = before.stream().filter(r -> r.pt() == opusPt && r.payload().length > 0)
                    .mapToInt(r -> Opus.samples(r.payload())).sum();
            audio = Arrays.copyOfRange(whole, Math.min(warm, whole.length), whole.length);
            return;
        }
        boolean g722 = packets.stream().anyMatch(r -> r.pt() == G722.PT);
        this.rate = g722 ? G722.SAMPLE_RATE : RtpEndpoint.RATE;
        this.block = rate / 10;
        List<short[]> chunks = new ArrayList<>();
        int n = 0;
        int other = 0;
        for (RtpEndpoint.Rx r : packets) {
            if (g722 && r.pt() == G722.PT) {
                audioSsrcs.add(r.ssrc());
            } else if (!g722 && (r.pt() == 0 || r.pt() == 8)) {
                short[] s = decode(r);
                chunks.add(s);
                n += s.length;
                audioSsrcs.add(r.ssrc());
            } else {
                other++;
            }
        }
        nonAudioPackets = other;
        if (g722) {
            List<RtpEndpoint.Rx> all = new ArrayList<>(before);
            all.addAll(packets);
            short[] whole = G722.decode(all);
            int warm = (int) before.stream().filter(r -> r.pt() == G722.PT).count() * G722.BYTES_PER_PACKET * 2;
            audio = Arrays.copyOfRange(whole, Math.min(warm, whole.length), whole.length);
            return;
        }
        audio = new short[n];
        int o = 0;
        for (short[] c : chunks) {
            System.arraycopy(c, 0, audio, o, c.length);
            o += c.length;
        }
    }

    /** The packet's G.711 payload as linear samples. */
    public static short[] decode(RtpEndpoint.Rx r) {
        short[] s = new short[r.payload().length];
        for (int i = 0; i < s.length; i++) {
            s[i] = r.pt() == 8 ? G711.alawDecode(r.payload()[i]) : G711.ulawDecode(r.payload()[i]);
        }
        return s;
    }

    /** The decoded audio, in arrival order, at {@link #rate()}. */
    public short[] audio() {
        return audio.clone();
    }

    public int rate() {
        return rate;
    }

    /** Levels of {@code tones} and of everything else (see {@link AudioQuality}). */
    public AudioQuality quality(double... tones) {
        return AudioQuality.measure(audio, rate, 0, tones);
    }

    public int audioPackets() {
        return packets.size() - nonAudioPackets;
    }

    public int nonAudioPackets() {
        return nonAudioPackets;
    }

    public Set<Long> ssrcs() {
        return audioSsrcs;
    }

    /** Median over 100 ms blocks of the tone's amplitude; 0 when nothing was received. */
    public double amplitude(double hz) {
        int blocks = audio.length / block;
        if (blocks == 0) {
            return 0;
        }
        double[] a = new double[blocks];
        for (int b = 0; b < blocks; b++) {
            a[b] = Goertzel.amplitude(audio, b * block, block, hz, rate);
        }
        Arrays.sort(a);
        return a[blocks / 2];
    }

    /** Largest 100 ms-block amplitude: catches a short leak (e.g. a DTMF burst). */
    public double peakAmplitude(double hz) {
        double max = 0;
        for (int b = 0; b + block <= audio.length; b += block / 2) {
            max = Math.max(max, Goertzel.amplitude(audio, b, block, hz, rate));
        }
        return max;
    }

    /** Mean payload size: tells Opus's bitrate (64 kbit/s = 160 bytes per 20 ms). */
    public long meanPayload() {
        return Math.round(packets.stream().mapToInt(r -> r.payload().length).average().orElse(0));
    }

    public String describe(double... hz) {
        StringBuilder sb = new StringBuilder(name + ": " + audioPackets() + " audio pkts, ssrcs=" + audioSsrcs.size()
                + ", other pkts=" + nonAudioPackets + ", " + meanPayload() + " B/pkt"
                + (ssrcsWithBefore > audioSsrcs.size() ? ", new SSRC in the 500 ms before" : ""));
        for (double h : hz) {
            sb.append(String.format(" %.0fHz=%.0f", h, amplitude(h)));
        }
        return sb.toString();
    }
}
