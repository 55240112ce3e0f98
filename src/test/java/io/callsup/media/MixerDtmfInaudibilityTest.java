package io.callsup.media;

import static io.callsup.model.SupervisionMode.BARGE;
import static io.callsup.model.SupervisionMode.SPY;
import static io.callsup.model.SupervisionMode.WHISPER;
import static io.callsup.testsupport.rtp.TestCall.AGENT_HZ;
import static io.callsup.testsupport.rtp.TestCall.CLIENT_HZ;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.callsup.model.SupervisionMode;
import io.callsup.testsupport.rtp.Capture;
import io.callsup.testsupport.rtp.Goertzel;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.rtp.TestCall;

/**
 * Issue 11, "digits are never heard", RFC 4733 transport: while the supervisor presses digits in
 * spy, whisper and barge (non-mode digits, the digit of the current mode, and mode digits that
 * switch, applied as the core applies them), neither the agent nor the client receives a
 * telephone-event packet or in-band DTMF. The detector is proven able to fail: the same detector
 * finds an in-band DTMF pair that a party really sends.
 * <p>
 * Detector: Hann-windowed Goertzel on the seven DTMF frequencies over every 20 ms window (each
 * packet and the seam between two), as {@link AudibleAfterDigitDelayTest}. A frequency within 100 Hz
 * of a tone the endpoint legitimately hears (the client's 697/770 Hz next to the agent's 700 Hz) is
 * masked; the three column frequencies are never masked, and every DTMF digit has one. A window
 * holds a DTMF pair when its loudest row and loudest column are both above {@link #LEAK} and above
 * three times the loudest guard frequency (a click in a party's tone is broadband, a digit is not);
 * where a row is masked, a column alone counts (so the client's detector cannot miss rows 697/770).
 */
public class MixerDtmfInaudibilityTest extends MediaTestBase {
    static final double[] ROWS = {697, 770, 852, 941};
    static final double[] COLS = {1209, 1336, 1477};
    /** Above this in a 20 ms window = a DTMF frequency is heard (sent tones have amplitude 6000, -20 dB). */
    static final double LEAK = RtpEndpoint.AMPLITUDE / 10;
    /**
     * Off every DTMF frequency and every tone in play. A gap or click in a party's tone splatters
     * energy over the whole band; a DTMF pair stands out above these.
     */
    static final double[] GUARDS = {2000, 2500, 3000};
    /**
     * Consecutive overlapping 20 ms windows (10 ms apart) holding the same pair that make a digit: 30 ms.
     * ITU-T Q.24 receivers must reject tones shorter than 23 ms (and accept 40 ms); a one-window
     * transient is not a digit.
     */
    static final int MIN_WINDOWS = 3;
    static final Map<Character, SupervisionMode> MODE_DIGITS = Map.of('0', SPY, '1', WHISPER, '2', BARGE);

    /** What one endpoint received around one press: the loudest window per DTMF frequency, event packets. */
    /** pairWindows: runs of {@link #MIN_WINDOWS} windows with one DTMF pair (digits a receiver would decode). */
    public record Heard(String who, double[] rowPeak, double[] colPeak, int pairWindows, int eventPackets, int nonAudio,
            int audio) {
        /** Windows where a DTMF receiver would see a digit. */
        public boolean pair() {
            return pairWindows > 0;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(who + ": " + audio + " audio, " + nonAudio + " other, " + eventPackets
                    + " telephone-event, " + pairWindows + " DTMF pairs; peaks");
            for (int i = 0; i < ROWS.length; i++) {
                sb.append(String.format(" %.0f=%s", ROWS[i], rowPeak[i] < 0 ? "masked" : String.format("%.0f",
                        rowPeak[i])));
            }
            for (int i = 0; i < COLS.length; i++) {
                sb.append(String.format(" %.0f=%.0f", COLS[i], colPeak[i]));
            }
            return sb.toString();
        }

        static double max(double[] a) {
            double m = 0;
            for (double v : a) {
                m = Math.max(m, v);
            }
            return m;
        }
    }

    /**
     * Every press, in every mode, the digit that switches mode included, must leave agent and client
     * without a DTMF pair. Before rtpengine fix fx3 (rtpengine/README.md, "Blocked digits and the
     * audio player") every digit pressed in whisper reached the agent, and in barge both, as in-band
     * DTMF at ~5200 of 6000: rtpengine decoded the supervisor's telephone-events into the mix.
     */
    @Test
    void supervisorDigitsReachNeitherAgentNorClientInAnyMode() throws Exception {
        try (TestCall c = new TestCall(ng, daemon, "PCMU"); Phone s = dialIn(c, SUP1_HZ, "PCMU", SPY)) {
            assertThat(c.agent.eventPt()).as("agent negotiated telephone-event").isPositive();
            assertThat(c.client.eventPt()).as("client negotiated telephone-event").isPositive();
            detectorFindsARealPair(c, s);
            SupervisionMode mode = SPY;
            // Per mode: digits that are no mode digit, the current mode's own digit, then the digit
            // of the next mode; the sequence passes all six transitions.
            String presses = "5*#0" + "1" + "5*#1" + "2" + "5*#2" + "0" + "2" + "1" + "0";
            List<String> leaks = new ArrayList<>();
            for (char k : presses.toCharArray()) {
                SupervisionMode to = MODE_DIGITS.getOrDefault(k, mode);
                Heard[] h = press(c, s, k, mode, to);
                String line = String.format("%-7s %s -> %-7s %s | %s", mode, k, to, h[0], h[1]);
                System.out.println(line);
                for (Heard x : h) {
                    // every press is measured before failing, so one run shows every mode
                    if (x.eventPackets() > 0 || x.nonAudio() > 0 || x.audio() <= 15 || x.pair()) {
                        leaks.add(line);
                    }
                }
                if (k == '#') {
                    // not rendering the events must not mute the supervisor: heard as before the digits
                    expectRow("after 5*# in " + mode, c, s, mode);
                }
                mode = to;
            }
            assertThat(leaks).as("presses after which agent or client got telephone-events, a DTMF pair or "
                    + "no audio").isEmpty();
            assertThat(mode).isEqualTo(SPY);
            expectRow("after the digits, spy", c, s, SPY);
            mixer.remove(s.ref());
        }
    }

    /** Presence: an in-band pair sent by a party who is heard is found by the same detector. */
    static void detectorFindsARealPair(TestCall c, Phone s) throws Exception {
        // '9' (852 + 1477) from the client to the agent; '#' (941 + 1477) from the agent to the client.
        for (RtpEndpoint[] fromTo : new RtpEndpoint[][] {{c.client, c.agent}, {c.agent, c.client}}) {
            RtpEndpoint from = fromTo[0];
            RtpEndpoint to = fromTo[1];
            double[] pair = from == c.client ? new double[] {852, 1477} : new double[] {941, 1477};
            int mark = to.mark();
            from.extraTones(pair);
            to.capture(mark, SKIP, COUNT);
            from.extraTones();
            Heard h = analyse(to, mark, to == c.agent ? new double[] {CLIENT_HZ} : new double[] {AGENT_HZ});
            System.out.println("in-band pair " + pair[0] + "+" + pair[1] + " sent by " + from.name() + ": " + h);
            assertThat(h.pair()).as("detector finds the pair a party really sends: " + h).isTrue();
            to.capture(SKIP, 1); // the pair has stopped
        }
    }

    /**
     * One press of {@code k} by the supervisor in {@code mode}; a mode digit of another mode is
     * applied as the core applies it (on its DTMF-log datagram, {@code afterOwnDigit}).
     */
    static Heard[] press(TestCall c, Phone s, char k, SupervisionMode mode, SupervisionMode to) throws Exception {
        int ma = c.agent.mark();
        int mc = c.client.mark();
        digits.clear();
        s.ep().sendDigit(k, 200);
        DtmfEvent e = digitFrom(s.tag());
        assertThat(e).as("digit %s in %s in the DTMF log", k, mode).isNotNull();
        if (to != mode) {
            mixer.switchMode(s.ref(), mode, to, true);
        }
        awaitDigitSent(s.ep());
        // the digit, its end retransmissions and 400 ms of what follows (a tail would be there)
        c.agent.capture(SKIP, 10);
        c.client.capture(SKIP, 10);
        List<Double> agentHears = new ArrayList<>(List.of(CLIENT_HZ));
        List<Double> clientHears = new ArrayList<>(List.of(AGENT_HZ));
        for (SupervisionMode m : List.of(mode, to)) {
            if (m != SPY) {
                agentHears.add(SUP1_HZ);
            }
            if (m == BARGE) {
                clientHears.add(SUP1_HZ);
            }
        }
        return new Heard[] {analyse(c.agent, ma, agentHears.stream().mapToDouble(d -> d).toArray()),
            analyse(c.client, mc, clientHears.stream().mapToDouble(d -> d).toArray())};
    }

    /** The loudest 20 ms window per DTMF frequency in what {@code ep} received since {@code mark}. */
    public static Heard analyse(RtpEndpoint ep, int mark, double[] legit) {
        double[] rows = new double[ROWS.length];
        double[] cols = new double[COLS.length];
        for (int i = 0; i < ROWS.length; i++) {
            rows[i] = masked(ROWS[i], legit) ? -1 : 0;
        }
        int events = 0;
        int other = 0;
        int audio = 0;
        int pairs = 0;
        boolean masked = false;
        for (double r : ROWS) {
            masked |= masked(r, legit);
        }
        int run = 0;
        int lastPair = -1;
        short[] prev = null;
        for (RtpEndpoint.Rx r : ep.packetsSince(mark)) {
            if (r.pt() == ep.eventPt()) {
                events++;
            }
            if (r.pt() != 0 && r.pt() != 8) {
                other++;
                continue;
            }
            audio++;
            short[] cur = Capture.decode(r);
            List<short[]> wins = new ArrayList<>(List.of(cur));
            if (prev != null) {
                short[] seam = new short[RtpEndpoint.SAMPLES];
                System.arraycopy(prev, RtpEndpoint.SAMPLES / 2, seam, 0, RtpEndpoint.SAMPLES / 2);
                System.arraycopy(cur, 0, seam, RtpEndpoint.SAMPLES / 2, RtpEndpoint.SAMPLES / 2);
                wins.add(seam);
            }
            for (short[] w : wins) {
                double row = 0;
                double col = 0;
                int ri = -1;
                int ci = -1;
                for (int i = 0; i < ROWS.length; i++) {
                    if (rows[i] >= 0) {
                        double a = amp(w, ROWS[i]);
                        rows[i] = Math.max(rows[i], a);
                        if (a > row) {
                            row = a;
                            ri = i;
                        }
                    }
                }
                for (int i = 0; i < COLS.length; i++) {
                    double a = amp(w, COLS[i]);
                    cols[i] = Math.max(cols[i], a);
                    if (a > col) {
                        col = a;
                        ci = i;
                    }
                }
                double guard = 0;
                for (double g : GUARDS) {
                    guard = Math.max(guard, amp(w, g));
                }
                // A row masked by a party's own tone cannot be measured: there the column alone decides.
                double threshold = Math.max(LEAK, 3 * guard);
                int pair = col > threshold && (row > threshold || masked) ? (row > threshold ? ri : 9) * COLS.length + ci
                        : -1;
                run = pair >= 0 && pair == lastPair ? run + 1 : pair >= 0 ? 1 : 0;
                lastPair = pair;
                if (run == MIN_WINDOWS) {
                    pairs++;
                }
            }
            prev = cur;
        }
        return new Heard(ep.name(), rows, cols, pairs, events, other, audio);
    }

    static boolean masked(double hz, double[] legit) {
        for (double l : legit) {
            if (Math.abs(l - hz) <= 100) {
                return true;
            }
        }
        return false;
    }

    static double amp(short[] s, double hz) {
        return Goertzel.amplitudeHann(s, 0, s.length, hz, RtpEndpoint.RATE);
    }
}
