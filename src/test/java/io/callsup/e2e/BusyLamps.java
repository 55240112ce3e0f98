package io.callsup.e2e;

import io.callsup.testsupport.sip.SippPhone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.callsup.testsupport.sip.SippPhone.vars;

/** SIPp phones with busy-lamp keys, and what their NOTIFYs say (application/dialog-info+xml). */
final class BusyLamps {

    private static final Pattern DIALOG = Pattern.compile("<dialog\\s([^>]*)>(.*?)</dialog>", Pattern.DOTALL);
    private static final Pattern CALL_ID = Pattern.compile("call-id=\"([^\"]*)\"");
    private static final Pattern STATE = Pattern.compile("<state[^>]*>\\s*([A-Za-z]+)\\s*</state>");

    private BusyLamps() {
    }

    /** One {@code <dialog>} of one NOTIFY: its call-id (empty for the idle dummy) and state. */
    record Dialog(int index, String callId, String state) {
        boolean busy() {
            return !"terminated".equals(state);
        }
    }

    /** A phone of {@code pbx} subscribing to {@code target@tdomain}; {@code expect} is the final answer wanted. */
    static SippPhone subscribe(Pbx pbx, String user, String target, String tdomain, String expect,
                               String sipTarget) {
        return SippPhone.start("blf-" + user, "blf_subscribe.xml", SippPhone.freshPort(), sipTarget,
                vars("user", user, "domain", pbx.domain(), "target", target, "tdomain", tdomain,
                        "expires", "600", "expect", expect),
                "-au", user, "-ap", Pbx.SIP_PASSWORD, "-recv_timeout", "120000");
    }

    /** Every dialog element of every NOTIFY the phone received so far, in order. */
    static List<Dialog> dialogs(SippPhone phone) {
        List<Dialog> out = new ArrayList<>();
        List<String> bodies = phone.receivedBodies("NOTIFY ");
        for (int i = 0; i < bodies.size(); i++) {
            Matcher d = DIALOG.matcher(bodies.get(i));
            while (d.find()) {
                Matcher c = CALL_ID.matcher(d.group(1));
                Matcher s = STATE.matcher(d.group(2));
                out.add(new Dialog(i, c.find() ? c.group(1) : "", s.find() ? s.group(1).toLowerCase(java.util.Locale.ROOT) : ""));
            }
        }
        return out;
    }

    static List<String> statesOf(SippPhone phone, String callId) {
        return dialogs(phone).stream().filter(d -> d.callId().equals(callId)).map(Dialog::state).toList();
    }

    /** Waits until the phone has received {@code n} NOTIFYs. */
    static void awaitNotifies(SippPhone phone, int n, Duration max) throws InterruptedException {
        awaitTrue(phone, () -> phone.receivedBodies("NOTIFY ").size() >= n, max, n + " NOTIFYs");
    }

    /** Waits for a NOTIFY dialog matching {@code what}; returns when (ms since epoch) it was seen. */
    static long awaitDialog(SippPhone phone, Predicate<Dialog> what, Duration max, String description)
            throws InterruptedException {
        awaitTrue(phone, () -> dialogs(phone).stream().anyMatch(what), max, description);
        return System.currentTimeMillis();
    }

    /** The "FINAL code phrase" line blf_subscribe.xml logs, once it is there. */
    static String awaitFinal(SippPhone phone, Duration max) throws InterruptedException {
        awaitTrue(phone, () -> phone.finalResponse().isPresent(), max, "a final response to the SUBSCRIBE");
        String[] f = phone.finalResponse().orElseThrow();
        return f[0] + " " + f[1];
    }

    static Optional<String> logged(SippPhone phone, String prefix) {
        Matcher m = Pattern.compile(prefix + " (\\d{3}.*)").matcher(phone.log());
        return m.find() ? Optional.of(m.group(1).strip()) : Optional.empty();
    }

    static String awaitLogged(SippPhone phone, String prefix, Duration max) throws InterruptedException {
        awaitTrue(phone, () -> logged(phone, prefix).isPresent(), max, prefix + " in the scenario log");
        return logged(phone, prefix).orElseThrow();
    }

    interface Probe {
        boolean ok();
    }

    static void awaitTrue(SippPhone phone, Probe probe, Duration max, String what) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (probe.ok()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + what + "\n" + phone.trace());
    }
}
