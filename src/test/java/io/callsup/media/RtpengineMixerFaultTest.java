package io.callsup.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.callsup.model.SupervisionMode;
import io.callsup.supervision.port.MediaMixer.MediaFailure;
import io.callsup.supervision.port.MediaMixer.MediaRef;
import io.vertx.core.Vertx;

/** {@link RtpengineMixer} against an in-process fake ng server that misbehaves on one chosen command. */
class RtpengineMixerFaultTest {
    /**
     * Long enough that the slack below (scheduling on a loaded 2-core CI host) stays under one more
     * deadline: a hidden retry still shows as a failure, a busy machine does not.
     */
    static final Duration DEADLINE = Duration.ofMillis(1000);
    static final long SLACK_MS = 900;
    static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

    enum Fault { ERROR, UNKNOWN_CALL, GARBAGE, NONE, SLOW }

    /** Answers like rtpengine for one call holding A and C (plus S and its placeholder when {@code withSup}). */
    static final class FakeNg implements AutoCloseable {
        final DatagramSocket socket;
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        final Map<String, Fault> faults = new ConcurrentHashMap<>();
        final List<String> received = new CopyOnWriteArrayList<>();
        /** When each command (by name) last arrived, System.nanoTime(). */
        final Map<String, Long> arrivals = new ConcurrentHashMap<>();
        volatile boolean withSup;
        volatile boolean supFlows = true;
        volatile boolean armed = true;
        volatile int padding;

        FakeNg() throws Exception {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread t = new Thread(this::loop, "fake-ng");
            t.setDaemon(true);
            t.start();
        }

        NgAddress address() {
            return new NgAddress("127.0.0.1", socket.getLocalPort());
        }

        private void loop() {
            byte[] buf = new byte[65536];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
                    int sp = new String(data, StandardCharsets.ISO_8859_1).indexOf(' ');
                    String cookie = new String(data, 0, sp, StandardCharsets.US_ASCII);
                    Map<String, Object> cmd = Bencode.decodeDict(data, sp + 1, data.length - sp - 1);
                    String name = (String) cmd.get("command");
                    received.add(name);
                    arrivals.put(name, System.nanoTime());
                    handle(cookie, name, p.getSocketAddress());
                } catch (Exception e) {
                    // closed
                }
            }
        }

        private void handle(String cookie, String name, java.net.SocketAddress to) throws Exception {
            Fault f = faults.get(name);
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("result", "ok");
            if (name.equals("query")) {
                reply.put("tags", tags());
            } else if (name.equals("offer") || name.equals("answer")) {
                reply.put("sdp", SDP);
            } else if (name.equals("list")) {
                reply.put("calls", List.of("c1"));
            } else if (name.equals("statistics")) {
                reply.put("statistics", Map.of("interfaces", List.of(Map.of("name", "default", "ports",
                        Map.of("free", 1000L)))));
            } else if (name.equals("ping")) {
                reply.put("result", "pong");
            }
            byte[] body;
            if (f == Fault.ERROR || f == Fault.UNKNOWN_CALL) {
                body = Bencode.encode(Map.of("result", "error", "error-reason",
                        f == Fault.ERROR ? "Failed to do it" : "Unknown call-ID"));
            } else if (f == Fault.GARBAGE) {
                body = "d6:result2:o".getBytes(StandardCharsets.US_ASCII);
            } else {
                body = Bencode.encode(reply);
            }
            if (f == Fault.NONE) {
                return;
            }
            byte[] out = concat((cookie + " ").getBytes(StandardCharsets.US_ASCII), body);
            Runnable send = () -> {
                try {
                    socket.send(new DatagramPacket(out, out.length, to));
                } catch (Exception e) {
                    // closed
                }
            };
            if (f == Fault.SLOW) {
                timer.schedule(send, DEADLINE.toMillis() * 3, TimeUnit.MILLISECONDS);
            } else {
                send.run();
            }
        }

        private Map<String, Object> tags() {
            Map<String, Object> t = new LinkedHashMap<>();
            boolean flows = withSup && supFlows;
            t.put("A", tag("A", null, armed, oa("C"), pubsub(flows ? "S" : null)));
            t.put("C", tag("C", null, armed, oa("A"), pubsub(flows ? "S" : null)));
            if (withSup) {
                t.put("S", tag("S", RtpengineMixer.SUPERVISOR_LABEL, true, oa("S-callsup-ph"),
                        pubsub(flows ? "A" : null), pubsub(flows ? "C" : null)));
                t.put("S-callsup-ph", tag("S-callsup-ph", null, false, oa("S")));
            }
            if (padding > 0) {
                t.put("pad", tag("pad", "x".repeat(padding), false));
            }
            return t;
        }

        @SafeVarargs
        private static Map<String, Object> tag(String name, String label, boolean player,
                Map<String, Object>... subs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tag", name);
            if (label != null) {
                m.put("label", label);
            }
            List<Object> s = new ArrayList<>();
            for (Map<String, Object> x : subs) {
                if (x != null) {
                    s.add(x);
                }
            }
            m.put("subscriptions", s);
            m.put("medias", List.of(Map.of("flags", player ? List.of("send", "recv", "audio player")
                    : List.of("send", "recv"))));
            return m;
        }

        private static Map<String, Object> oa(String from) {
            return Map.of("tag", from, "type", "offer/answer");
        }

        private static Map<String, Object> pubsub(String from) {
            return from == null ? null : Map.of("tag", from, "type", "pub/sub");
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, r, a.length, b.length);
            return r;
        }

        @Override
        public void close() {
            socket.close();
            timer.shutdownNow();
        }
    }

    Vertx vertx;
    FakeNg fake;
    NgClient ng;
    RtpengineMixer mixer;
    MediaRef ref;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        fake = new FakeNg();
        ng = new NgClient(vertx, List.of(fake.address()), Duration.ofMillis(150), 1);
        mixer = new RtpengineMixer(ng, DEADLINE, Duration.ZERO, new NgAddress("127.0.0.1", 9), 100);
        ref = new MediaRef("c1", fake.address().toString(), "A", "C", "S");
    }

    @AfterEach
    void tearDown() {
        ng.close();
        fake.close();
        vertx.close();
    }

    /** Runs op; it must fail with MediaFailure only, within {@code maxDeadlines} command deadlines. */
    static MediaFailure failsWithin(Runnable op, int maxDeadlines) {
        long t0 = System.nanoTime();
        Throwable t = catchThrowable(op::run);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(t).as("failure").isInstanceOf(MediaFailure.class);
        assertThat(ms).as("elapsed ms").isLessThan(maxDeadlines * DEADLINE.toMillis() + SLACK_MS);
        return (MediaFailure) t;
    }

    @ParameterizedTest(name = "prepareDialIn, {0} -> {1}")
    @CsvSource({"query,ERROR", "query,GARBAGE", "query,NONE", "query,SLOW", "offer,ERROR", "offer,GARBAGE",
            "offer,NONE", "offer,SLOW", "answer,ERROR", "answer,NONE", "connect,ERROR", "connect,SLOW",
            "block DTMF,GARBAGE", "block DTMF,NONE"})
    void prepareDialInFaults(String command, Fault fault) {
        fake.faults.put(command, fault);
        MediaFailure f = failsWithin(() -> mixer.prepareDialIn(ref, SDP), 3);
        assertThat(f.unknownCall()).isFalse();
    }

    @ParameterizedTest(name = "activate, {0} -> {1}")
    @CsvSource({"query,NONE", "inject start,ERROR", "inject start,GARBAGE", "inject start,NONE", "inject start,SLOW",
            "connect,ERROR", "unblock media,NONE", "unblock media,SLOW"})
    void activateFaults(String command, Fault fault) {
        fake.withSup = true;
        fake.supFlows = false; // prepared, not active, legs not armed: activate sends every step
        fake.armed = false;
        fake.faults.put(command, fault);
        failsWithin(() -> mixer.activate(ref, SupervisionMode.WHISPER), 2);
    }

    @ParameterizedTest(name = "switchMode, {0} -> {1}")
    @CsvSource({"query,GARBAGE", "block media,ERROR", "block media,NONE", "inject stop,SLOW"})
    void switchFaults(String command, Fault fault) {
        fake.withSup = true; // S flows to C (barge): going to spy blocks media and stops that flow
        fake.faults.put(command, fault);
        failsWithin(() -> mixer.switchMode(ref, SupervisionMode.BARGE, SupervisionMode.SPY, false), 2);
    }

    /**
     * The audible-after-digit delay, deterministically: after the supervisor's own digit the command
     * that makes it audible waits the delay; any other switch sends it at once. (What the delay buys
     * by ear is measured in AudibleAfterDigitDelayTest.)
     */
    @Test
    void onlyAnOwnDigitSwitchWaitsBeforeMakingTheSupervisorAudible() {
        RtpengineMixer delayed = new RtpengineMixer(ng, DEADLINE, Duration.ofMillis(80), new NgAddress("127.0.0.1", 9),
                100);
        fake.withSup = true;
        for (boolean ownDigit : new boolean[] {true, false}) {
            fake.arrivals.clear();
            long t0 = System.nanoTime();
            delayed.switchMode(ref, SupervisionMode.SPY, SupervisionMode.WHISPER, ownDigit);
            Long at = fake.arrivals.get("unblock media");
            assertThat(at).as("unblock media sent").isNotNull();
            long ms = (at - t0) / 1_000_000;
            if (ownDigit) {
                assertThat(ms).as("ms to unblock after the own digit").isGreaterThanOrEqualTo(80);
            } else {
                assertThat(ms).as("ms to unblock for an API switch").isLessThan(80);
            }
        }
    }

    @Test
    void unknownCallIsFlagged() {
        fake.faults.put("query", Fault.UNKNOWN_CALL);
        assertThat(failsWithin(() -> mixer.activate(ref, SupervisionMode.SPY), 1).unknownCall()).isTrue();
        assertThat(failsWithin(() -> mixer.prepareDialIn(ref, SDP), 1).unknownCall()).isTrue();
        assertThat(mixer.inspect(ref.daemon(), "c1")).isEmpty();
        mixer.remove(ref); // the call is gone: nothing left to remove
        fake.faults.put("delete", Fault.UNKNOWN_CALL);
        mixer.callEnded("c1");
    }

    @Test
    void removeFailsWhileTheConfirmingQueryStillShowsTheSupervisor() {
        fake.withSup = true; // every query, including the confirming one, shows S with its flows
        MediaFailure f = failsWithin(() -> mixer.remove(ref), 1);
        assertThat(f).hasMessageContaining("still has flows");
        assertThat(fake.received).contains("inject stop", "unsubscribe", "block DTMF");
        fake.withSup = false; // the daemon caught up: a second remove finds nothing to do and succeeds
        mixer.remove(ref);
    }

    @Test
    void removeFailsOnEveryKindOfFault() {
        fake.withSup = true;
        for (Fault fault : List.of(Fault.ERROR, Fault.GARBAGE, Fault.NONE, Fault.SLOW)) {
            fake.faults.clear();
            fake.faults.put("inject stop", fault);
            failsWithin(() -> mixer.remove(ref), 2);
        }
    }

    @Test
    void inspectListAliveAndBigReplies() {
        fake.withSup = true;
        fake.padding = 40_000; // more than any fixed small receive buffer: must arrive whole
        assertThat(mixer.inspect(ref.daemon(), "c1")).get()
                .satisfies(m -> assertThat(m.supervisorTags()).containsExactly("S"))
                .satisfies(m -> assertThat(m.tags()).contains("A", "C", "S", "S-callsup-ph"));
        assertThat(mixer.supervisedCalls(ref.daemon())).containsExactly("c1");
        assertThat(mixer.alive(ref.daemon())).isTrue();
        fake.faults.put("ping", Fault.NONE);
        long t0 = System.nanoTime();
        assertThat(mixer.alive(ref.daemon())).isFalse();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(DEADLINE.toMillis() + SLACK_MS);
        fake.faults.put("ping", Fault.GARBAGE);
        assertThat(mixer.alive(ref.daemon())).isFalse();
        fake.faults.put("list", Fault.ERROR);
        assertThatThrownBy(() -> mixer.supervisedCalls(ref.daemon())).isInstanceOf(MediaFailure.class);
        fake.faults.put("query", Fault.SLOW);
        assertThatThrownBy(() -> mixer.inspect(ref.daemon(), "c1")).isInstanceOf(MediaFailure.class);
    }

    @Test
    void daemonUnknownToEveryoneMeansUnknownCall() {
        fake.faults.put("query", Fault.UNKNOWN_CALL);
        MediaRef noDaemon = new MediaRef("c1", null, "A", "C", "S");
        assertThat(failsWithin(() -> mixer.prepareOrigination(noDaemon), 1).unknownCall()).isTrue();
        mixer.remove(noDaemon);
    }
}
