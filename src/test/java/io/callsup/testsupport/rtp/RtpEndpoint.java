package io.callsup.testsupport.rtp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A test phone: sends G.711 or G.722 (20 ms packets) carrying a steady tone, can send RFC 4733
 * digits, and records every RTP packet it receives.
 */
public final class RtpEndpoint implements AutoCloseable {
    public static final int RATE = 8000;
    public static final int SAMPLES = 160;
    public static final double AMPLITUDE = 6000;

    private final String name;
    private final double toneHz;
    private final DatagramSocket socket;
    private final ScheduledExecutorService sender;
    private final Thread receiver;
    private final List<Rx> received = new ArrayList<>();
    /** Per received SSRC: {first extended seq, highest extended seq, packets}; guarded by {@link #received}. */
    private final java.util.Map<Long, long[]> sequences = new java.util.HashMap<>();
    /** Keep every received packet (tests read them back); off for load runs that only count loss. */
    private volatile boolean keepPackets = true;

    private volatile InetSocketAddress remote;
    private volatile int audioPt = 0;
    private volatile int eventPt = -1;
    /** telephone-event's RTP clock as negotiated: 8000, or 48000 beside Opus. */
    private volatile int eventRate = RATE;
    private volatile boolean muted;
    /** Tones sent on top of the endpoint's own (G.711 only), e.g. an in-band DTMF pair. */
    private volatile double[] extraTones = new double[0];
    /** The tone, G.722 encoded, while the audio PT is G.722 (ffmpeg's encoder keeps its state across packets). */
    private volatile ToneLoop g722Tone;
    /** The tone as Opus packets, and its PT, while the peer's audio PT is opus (-1: not Opus). */
    private volatile ToneLoop opusTone;
    private volatile List<byte[]> opusSilence;
    private volatile int opusPt = -1;
    private int opusIndex;
    private final int ssrc = ThreadLocalRandom.current().nextInt();
    private int seq = ThreadLocalRandom.current().nextInt(0, 30000);
    private int timestamp = ThreadLocalRandom.current().nextInt();
    private long sampleIndex;
    // pending digit state (sender thread only, set through a volatile request)
    private volatile Digit digitRequest;
    private Digit digit;

    private record Digit(int event, int durationSamples) {
    }

    /**
     * Send times (nanoTime) of the last digit: its first event packet, its first end packet (the
     * digit's nominal end) and the first audio packet after its last end retransmission; 0 = not yet.
     */
    public record DigitTimes(long startNanos, long endNanos, long audioResumedNanos) {
    }

    private volatile long digitStartNanos;
    private volatile long digitEndNanos;
    private volatile long audioResumedNanos;
    private boolean awaitingResume;

    /** One received packet; {@code seq} and {@code ts} as sent (-1 when built by hand). */
    public record Rx(long nanos, int pt, long ssrc, boolean marker, byte[] payload, int seq, long ts) {
        public Rx(long nanos, int pt, long ssrc, boolean marker, byte[] payload) {
            this(nanos, pt, ssrc, marker, payload, -1, -1);
        }
    }

    /** Send time (nanoTime) of every audio or event packet this endpoint sent, in order. */
    private final List<Long> sent = new ArrayList<>();

    private static InetAddress bindAddress() throws SocketException {
        try {
            return InetAddress.getByName(io.callsup.testsupport.TestHosts.phone());
        } catch (java.net.UnknownHostException e) {
            throw new SocketException("phone host: " + e.getMessage());
        }
    }

    public RtpEndpoint(String name, double toneHz) throws SocketException {
        this.name = name;
        this.toneHz = toneHz;
        this.socket = new DatagramSocket(new InetSocketAddress(bindAddress(), 0));
        this.sender = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rtp-tx-" + name);
            t.setDaemon(true);
            return t;
        });
        this.receiver = new Thread(this::receiveLoop, "rtp-rx-" + name);
        this.receiver.setDaemon(true);
        this.receiver.start();
        this.sender.scheduleAtFixedRate(this::tick, 20, 20, TimeUnit.MILLISECONDS);
    }

    public String name() {
        return name;
    }

    public double toneHz() {
        return toneHz;
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Where to send, and with which payload types, taken from the SDP rtpengine gave this endpoint. */
    public void connect(Sdp peer, int audioPt) {
        if (audioPt == G722.PT && g722Tone == null) {
            g722Tone = ToneLoop.ofG722(G722.tone(toneHz, AMPLITUDE, ToneLoop.SECONDS));
        }
        String map = peer.rtpmap().get(audioPt);
        if (map != null && map.toLowerCase(java.util.Locale.ROOT).startsWith("opus/")) {
            if (opusTone == null) {
                opusTone = new ToneLoop(Opus.tone(toneHz, AMPLITUDE, ToneLoop.SECONDS));
                opusSilence = Opus.tone(toneHz, 0, 1);
            }
            opusPt = audioPt;
        } else {
            opusPt = -1;
        }
        this.audioPt = audioPt;
        this.eventPt = peer.pt("telephone-event");
        String te = peer.rtpmap().get(eventPt);
        this.eventRate = te != null && te.split("/").length > 1 ? Integer.parseInt(te.split("/")[1].trim()) : RATE;
        this.remote = new InetSocketAddress(peer.address(), peer.port());
    }

    public void mute(boolean m) {
        this.muted = m;
    }

    /** Adds these tones (same amplitude each) to what the endpoint sends, G.711 only; none = stop. */
    public void extraTones(double... hz) {
        this.extraTones = hz.clone();
    }

    /** The payload type the peer's SDP gave telephone-event; -1 = not negotiated. */
    public int eventPt() {
        return eventPt;
    }

    /** Sends one RFC 4733 digit (0-9, *, #) in place of audio. */
    public void sendDigit(char d, int durationMs) {
        if (eventPt < 0) {
            throw new IllegalStateException(name + ": telephone-event not negotiated");
        }
        int ev = "0123456789*#".indexOf(d);
        if (ev < 0) {
            throw new IllegalArgumentException("digit " + d);
        }
        digitRequest = new Digit(ev, durationMs * eventRate / 1000);
    }

    public boolean digitPending() {
        return digitRequest != null || digit != null;
    }

    /** Send times of the last digit (see {@link DigitTimes}). */
    public DigitTimes lastDigit() {
        return new DigitTimes(digitStartNanos, digitEndNanos, audioResumedNanos);
    }

    private int digitElapsed;
    private int digitEndsSent;

    private void tick() {
        InetSocketAddress to = remote;
        if (to == null) {
            return;
        }
        try {
            if (digit == null && digitRequest != null) {
                digit = digitRequest;
                digitRequest = null;
                digitElapsed = 0;
                digitEndsSent = 0;
                digitStartNanos = System.nanoTime();
                digitEndNanos = 0;
                audioResumedNanos = 0;
                awaitingResume = false;
            }
            if (digit != null) {
                sendEvent(to);
                return;
            }
            if (audioPt == G722.PT) {
                sendG722(to);
                return;
            }
            if (opusPt >= 0 && audioPt == opusPt) {
                sendOpus(to);
                return;
            }
            byte[] payload = new byte[SAMPLES];
            double[] extra = extraTones;
            for (int i = 0; i < SAMPLES; i++) {
                double v = AMPLITUDE * Math.sin(2 * Math.PI * toneHz * (sampleIndex + i) / RATE);
                for (double hz : extra) {
                    v += AMPLITUDE * Math.sin(2 * Math.PI * hz * (sampleIndex + i) / RATE);
                }
                short s = muted ? 0 : (short) Math.round(v);
                payload[i] = audioPt == 8 ? G711.alaw(s) : G711.ulaw(s);
            }
            sampleIndex += SAMPLES;
            send(to, audioPt, false, timestamp, payload);
            if (awaitingResume) {
                awaitingResume = false;
                audioResumedNanos = System.nanoTime();
            }
            timestamp += SAMPLES;
        } catch (IOException | RuntimeException e) {
            // keep the clock running; a closed socket ends the test anyway
        }
    }

    private void sendG722(InetSocketAddress to) throws IOException {
        ToneLoop tone = g722Tone;
        byte[] payload;
        byte[] next = tone.next(); // the tone runs on while muted, as before
        if (muted) {
            payload = new byte[G722.BYTES_PER_PACKET];
            java.util.Arrays.fill(payload, (byte) 0xfa); // G.722 silence
        } else {
            payload = next;
        }
        send(to, audioPt, false, timestamp, payload);
        if (awaitingResume) {
            awaitingResume = false;
            audioResumedNanos = System.nanoTime();
        }
        timestamp += SAMPLES; // G.722's RTP clock is 8000 although it samples at 16000
        sampleIndex += SAMPLES;
    }

    private void sendOpus(InetSocketAddress to) throws IOException {
        byte[] next = opusTone.next(); // the tone runs on while muted, as before
        byte[] payload = muted ? opusSilence.get(opusIndex++ % opusSilence.size()) : next;
        send(to, audioPt, false, timestamp, payload);
        if (awaitingResume) {
            awaitingResume = false;
            audioResumedNanos = System.nanoTime();
        }
        timestamp += Opus.SAMPLES;
        sampleIndex += SAMPLES;
    }

    private void sendEvent(InetSocketAddress to) throws IOException {
        boolean first = digitElapsed == 0 && digitEndsSent == 0;
        if (digitElapsed < digit.durationSamples()) {
            digitElapsed = Math.min(digitElapsed + eventRate / 50, digit.durationSamples());
        }
        boolean end = digitElapsed >= digit.durationSamples();
        ByteBuffer p = ByteBuffer.allocate(4);
        p.put((byte) digit.event());
        p.put((byte) ((end ? 0x80 : 0) | 10));
        p.putShort((short) digitElapsed);
        send(to, eventPt, first, timestamp, p.array());
        if (end && digitEndsSent == 0) {
            digitEndNanos = System.nanoTime();
        }
        if (end && ++digitEndsSent >= 3) {
            awaitingResume = true;
            timestamp += digit.durationSamples();
            sampleIndex += digit.durationSamples() * RATE / eventRate;
            digit = null;
        }
    }

    private void send(InetSocketAddress to, int pt, boolean marker, int ts, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12 + payload.length);
        b.put((byte) 0x80);
        b.put((byte) ((marker ? 0x80 : 0) | pt));
        b.putShort((short) seq++);
        b.putInt(ts);
        b.putInt(ssrc);
        b.put(payload);
        socket.send(new DatagramPacket(b.array(), b.position(), to));
        synchronized (sent) {
            sent.add(System.nanoTime());
        }
    }

    /** Send times (nanoTime) of the packets sent after the first {@code from}: shows the sender's own jitter. */
    public List<Long> sendTimesSince(int from) {
        synchronized (sent) {
            return new ArrayList<>(sent.subList(Math.min(from, sent.size()), sent.size()));
        }
    }

    public int sentCount() {
        synchronized (sent) {
            return sent.size();
        }
    }

    private void receiveLoop() {
        byte[] buf = new byte[2048];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            long now = System.nanoTime();
            if (p.getLength() < 12 || (buf[0] & 0xc0) != 0x80) {
                continue;
            }
            int pt = buf[1] & 0x7f;
            if (pt >= 72 && pt <= 79) {
                continue; // RTCP
            }
            boolean marker = (buf[1] & 0x80) != 0;
            long ssrc = ByteBuffer.wrap(buf, 8, 4).getInt() & 0xffffffffL;
            int cc = buf[0] & 0x0f;
            int off = 12 + 4 * cc;
            int rxSeq = ((buf[2] & 0xff) << 8) | (buf[3] & 0xff);
            long rxTs = ByteBuffer.wrap(buf, 4, 4).getInt() & 0xffffffffL;
            synchronized (received) {
                countSequence(ssrc, rxSeq);
                if (keepPackets) {
                    received.add(new Rx(now, pt, ssrc, marker, java.util.Arrays.copyOfRange(buf, off, p.getLength()),
                            rxSeq, rxTs));
                    received.notifyAll();
                }
            }
        }
    }

    /** RFC 3550 style: a 16-bit step that goes forward moves the highest sequence number, wrapping included. */
    private void countSequence(long ssrc, int seqNo) {
        long[] s = sequences.get(ssrc);
        if (s == null) {
            sequences.put(ssrc, new long[]{seqNo, seqNo, 1});
            return;
        }
        int step = (short) (seqNo - (int) (s[1] & 0xffff));
        if (step > 0) {
            s[1] += step;
        }
        s[2]++;
    }

    /** Packets lost by sequence gaps since {@link #resetSequences()}: {expected, received}, summed over SSRCs. */
    public long[] sequenceCounts() {
        synchronized (received) {
            long expected = 0;
            long got = 0;
            for (long[] s : sequences.values()) {
                expected += s[1] - s[0] + 1;
                got += s[2];
            }
            return new long[]{expected, got};
        }
    }

    /** Starts counting sequence gaps afresh (the next packet of each SSRC is its first). */
    public void resetSequences() {
        synchronized (received) {
            sequences.clear();
        }
    }

    /** false: received packets are only counted ({@link #sequenceCounts()}), not kept, so a long run holds no memory. */
    public void keepPackets(boolean keep) {
        this.keepPackets = keep;
    }

    /** Number of packets received so far; use as a mark for {@link #packetsSince}. */
    public int mark() {
        synchronized (received) {
            return received.size();
        }
    }

    public List<Rx> packetsSince(int mark) {
        synchronized (received) {
            return new ArrayList<>(received.subList(Math.min(mark, received.size()), received.size()));
        }
    }

    /**
     * Waits for {@code skip + count} packets after now (the bound is only a safety net) and returns
     * the analysis of the last {@code count}.
     */
    public Capture capture(int skip, int count) throws InterruptedException {
        return capture(mark(), skip, count);
    }

    /** As {@link #capture(int, int)} counting from an earlier {@link #mark()}. */
    public Capture capture(int mark, int skip, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMillis((skip + count) * 20L + 3000).toNanos();
        synchronized (received) {
            while (received.size() < mark + skip + count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                received.wait(Math.max(1, left / 1_000_000));
            }
            int from = Math.min(mark + skip, received.size());
            // up to 500 ms before the window, to warm up a G.722 decoder
            List<Rx> before = new ArrayList<>(received.subList(Math.max(0, from - 25), from));
            return new Capture(name, before, new ArrayList<>(received.subList(from, received.size())), opusPt);
        }
    }

    /**
     * Blocks until a packet received after {@code mark} satisfies the predicate on its decoded audio;
     * returns its receive time (nanoTime) or -1 after {@code maxWait}.
     */
    public long awaitPacket(int mark, java.util.function.Predicate<short[]> audible, Duration maxWait)
            throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        int i = mark;
        synchronized (received) {
            while (true) {
                while (i < received.size()) {
                    Rx r = received.get(i++);
                    if ((r.pt() == 0 || r.pt() == 8) && audible.test(Capture.decode(r))) {
                        return r.nanos();
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return -1;
                }
                received.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
        socket.close();
    }

    @Override
    public String toString() {
        return name + "@" + port();
    }
}
