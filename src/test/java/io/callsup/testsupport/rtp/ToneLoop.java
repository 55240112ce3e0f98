package io.callsup.testsupport.rtp;

import java.util.List;

/**
 * A test phone's encoded tone, played as an endless stream: the packets in order, and at the end back
 * to packet {@link #LOOP_START}, not to the first. Why: a codec with state (G.722's ADPCM, Opus) is
 * encoded once from a cold encoder, so its first packets carry the encoder's start-up; a decoder that
 * has been tracking the stream for seconds, meeting them again, went wrong for 60-80 ms (G.722: a
 * burst at -5 dBFS over a -15 dBFS tone, every 30 s of call, which a codec-matrix row could catch).
 * Going back to a packet a second in, where the encoder had settled, and looping over a multiple of
 * 100 ms keeps the tone's phase (every tone the tests use completes whole cycles in 100 ms) and leaves
 * a seam some 25 dB below the tone, once per {@link #SECONDS} s.
 */
public final class ToneLoop {
    /** Length of the encoded tone: more than the longest test call (the codec matrix, ~55 s). */
    public static final int SECONDS = 60;
    /** Where the loop starts again: 1 s (50 packets) in. */
    public static final int LOOP_START = 50;
    private final List<byte[]> packets;
    private final int end;
    private int next;

    public ToneLoop(List<byte[]> packets) {
        if (packets.size() < LOOP_START + 5) {
            throw new IllegalArgumentException("too short to loop: " + packets.size() + " packets");
        }
        this.packets = packets;
        // the looped part is a whole number of 100 ms (5 packets)
        this.end = LOOP_START + (packets.size() - LOOP_START) / 5 * 5;
    }

    /** A G.722 byte stream cut into 20 ms packets. */
    public static ToneLoop ofG722(byte[] stream) {
        int n = stream.length / G722.BYTES_PER_PACKET;
        List<byte[]> p = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            p.add(java.util.Arrays.copyOfRange(stream, i * G722.BYTES_PER_PACKET, (i + 1) * G722.BYTES_PER_PACKET));
        }
        return new ToneLoop(p);
    }

    public byte[] next() {
        byte[] p = packets.get(next);
        next = next + 1 < end ? next + 1 : LOOP_START;
        return p;
    }

    /** Packets per pass of the loop after the first. */
    public int loopLength() {
        return end - LOOP_START;
    }

    /** Packets before the first wrap. */
    public int firstPass() {
        return end;
    }
}
