package io.callsup.e2e;

import io.callsup.testsupport.KamailioResource;
import io.callsup.testsupport.RtpengineResource;
import io.callsup.testsupport.TestApi;
import io.callsup.testsupport.rtp.RtpEndpoint;
import io.callsup.testsupport.sip.SippPhone;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.callsup.testsupport.sip.SippPhone.vars;

/**
 * The CPU part of {@link VsAsteriskBench}: N calls (agent, client), each with a supervisor whispering
 * (dialled straight into whisper: *91 on both systems), 3 RTP streams in and out per call; CPU of all
 * the system's processes over a steady window, minus nothing (the idle figure is printed beside it).
 * Phones hang up by themselves after the window (SIP BYE), so nothing lingers into the next phase.
 */
final class VsAsteriskCpu {

    /** One phase: {@code calls} calls of which {@code supervised} whisper-supervised, over {@code seconds}. */
    record Result(String system, int calls, int supervised, int whispering, double idleMsPerS,
                  Map<String, Double> msPerS, Map<String, Double> rssMib, Map<String, Double> vmRssMib, double load1,
                  double seconds) {
        double total() {
            return msPerS.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        /** CPU per supervised call (for the curve, every call is supervised). */
        double perCall() {
            return total() / supervised;
        }

        /** Share of one core, %. */
        double corePct() {
            return total() / 10;
        }

        double pssTotal() {
            return rssMib.values().stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    private final Pbx pbx;
    private final String asteriskTarget;
    private final Path asteriskPidfile;
    private final int postgresPort;
    private final List<Long> productAgents = new ArrayList<>();
    private final String tag = TestApi.unique("b");

    VsAsteriskCpu(Pbx pbx, String asteriskTarget, Path asteriskPidfile, int postgresPort) {
        this.pbx = pbx;
        this.asteriskTarget = asteriskTarget;
        this.asteriskPidfile = asteriskPidfile;
        this.postgresPort = postgresPort;
    }

    BenchCpu productCpu() {
        return new BenchCpu(() -> {
            Map<String, List<Long>> m = new LinkedHashMap<>();
            m.put("service", BenchCpu.childrenMatching("quarkus-run.jar"));
            m.put("kamailio", BenchCpu.treeOf(Path.of("target", "kamailio-run", "kamailio.pid").toAbsolutePath()));
            m.put("rtpengine", BenchCpu.treeOf(RtpengineResource.pid()));
            m.put("postgresql", BenchCpu.treeOf(listener(postgresPort)));
            return m;
        });
    }

    BenchCpu asteriskCpu() {
        return new BenchCpu(() -> Map.of("asterisk", BenchCpu.treeOf(asteriskPidfile)));
    }

    /** The pid listening on TCP {@code port} (ss), so PostgreSQL is found however it was forked. */
    static long listener(int port) {
        try {
            Process p = new ProcessBuilder("ss", "-Hltnp", "sport = :" + port).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("pid=(\\d+)").matcher(out);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * {@code n} calls, the first {@code supervised} of them with a whispering supervisor. Every phone
     * hangs up by itself at one planned moment: set-up is given {@code setupMsPerCall} per call, and
     * the steady window runs from 3 s after the last supervisor joined to 1 s before that moment, so
     * a quick set-up lengthens the window instead of leaving the machine idle. A window shorter than
     * {@code minSteady} (set-up slower than planned) fails the phase rather than measuring hang-ups.
     * {@code idle}: also measure 10 s with no calls first.
     */
    Result run(boolean product, int n, int supervised, Duration minSteady, int setupMsPerCall, boolean idle)
            throws Exception {
        BenchCpu cpu = product ? productCpu() : asteriskCpu();
        String system = product ? VsAsteriskBench.PRODUCT : VsAsteriskBench.ASTERISK;
        double idleMs = Double.NaN;
        if (idle) {
            Duration idleWindow = Duration.ofSeconds(10);
            var t0 = cpu.ticks();
            Thread.sleep(idleWindow.toMillis());
            idleMs = BenchCpu.msPerSecond(t0, cpu.ticks(), idleWindow.toMillis() / 1000.0).values().stream()
                    .mapToDouble(Double::doubleValue).sum();
        }
        for (int i = 0; i < n; i++) {
            if (product) {
                productAgent(i); // accounts first: their REST calls are not part of the calls' set-up budget
            }
        }
        long endAt = System.nanoTime() + ((long) (n + supervised) * setupMsPerCall + 3000 + minSteady.toMillis() + 1000)
                * 1_000_000L;
        List<AutoCloseable> open = new ArrayList<>();
        List<RtpEndpoint> agents = new ArrayList<>();
        List<SippPhone> phones = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                RtpEndpoint agent = add(open, new RtpEndpoint("agent" + i, VsAsteriskBench.AGENT_HZ));
                RtpEndpoint client = add(open, new RtpEndpoint("client" + i, VsAsteriskBench.CLIENT_HZ));
                agent.keepPackets(i < supervised); // only the whisper check reads packets back
                client.keepPackets(false);
                agents.add(agent);
                String ext = Integer.toString(2000 + i);
                SippPhone agentPhone = add(open, product
                        ? pbx.answeringPhone("cpu-agent" + i, "cpuagent" + i + tag, agent)
                        : asteriskAgent("agent" + ext, agent));
                String clientHold = Long.toString(msUntil(endAt) + 3000);
                // The product's trunk is one fixed source port (one SIPp at a time): its N clients are
                // accounts of the same customer instead, calling with digest auth (only set-up differs).
                String clientUser = "cpuclient" + i + tag;
                SippPhone clientPhone = add(open, product
                        ? SippPhone.start("cpu-client" + i, "uac_call.xml", SippPhone.freshPort(),
                        vars("user", clientUser, "domain", pbx.domain(), "target", ext, "rtp_ip", KamailioResource.HOST,
                                "rtp_port", Integer.toString(client.port()), "hold_ms", clientHold),
                        "-au", clientUser, "-ap", Pbx.SIP_PASSWORD)
                        : SippPhone.start("cpu-client" + i, "uac_call.xml", SippPhone.freshPort(), asteriskTarget,
                        vars("user", "client", "domain", KamailioResource.HOST, "target", ext, "rtp_ip",
                                KamailioResource.HOST, "rtp_port", Integer.toString(client.port()), "hold_ms",
                                clientHold)));
                Pbx.connect(agent, agentPhone);
                Pbx.connect(client, clientPhone);
                phones.add(agentPhone);
                phones.add(clientPhone);
            }
            for (int i = 0; i < supervised; i++) {
                RtpEndpoint sup = add(open, new RtpEndpoint("sup" + i, VsAsteriskBench.SUP_HZ));
                sup.keepPackets(false);
                String ext = Integer.toString(2000 + i);
                int holdMs = (int) msUntil(endAt);
                SippPhone sp = add(open, product ? supervisorProduct(i, ext, sup, holdMs)
                        : supervisorAsterisk(i, ext, sup, holdMs));
                Pbx.connect(sup, sp);
                phones.add(sp);
            }
            Thread.sleep(3000);
            int whispering = 0;
            for (RtpEndpoint a : agents.subList(0, supervised)) {
                if (a.awaitPacket(a.mark(), VsAsteriskBench.has(VsAsteriskBench.SUP_HZ, VsAsteriskBench.CLIENT_HZ),
                        Duration.ofSeconds(1)) > 0) {
                    whispering++;
                }
            }
            long window = msUntil(endAt) - 1000;
            if (window < minSteady.toMillis() / 2) {
                throw new IllegalStateException(system + ", " + n + " calls: set-up took longer than "
                        + setupMsPerCall + " ms per call; only " + window + " ms left for the steady window");
            }
            double load = BenchFigures.loadAvg1();
            var before = cpu.ticks();
            long s0 = System.nanoTime();
            Thread.sleep(window);
            var after = cpu.ticks();
            double secs = (System.nanoTime() - s0) / 1e9;
            Map<String, Double> rss = cpu.rssMib();
            Result r = new Result(system, n, supervised, whispering, idleMs, BenchCpu.msPerSecond(before, after, secs),
                    rss, cpu.vmRssMib(), (load + BenchFigures.loadAvg1()) / 2, secs);
            for (SippPhone p : phones) {
                p.awaitExit(Duration.ofSeconds(60));
            }
            return r;
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    private static long msUntil(long nanoTime) {
        return Math.max(0, (nanoTime - System.nanoTime()) / 1_000_000);
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> open, T c) {
        open.add(c);
        return c;
    }

    /** Agent i of the product (extension 2000+i) in the Support hunt group, with its supervisor and client accounts. */
    private String productAgent(int i) {
        String ext = Integer.toString(2000 + i);
        while (productAgents.size() <= i) {
            int k = productAgents.size();
            long id = pbx.account(Integer.toString(2000 + k), "Agent" + k, "cpuagent" + k + tag);
            TestApi.putMember(pbx.abc, pbx.support, id, false);
            long sup = pbx.account(Integer.toString(3000 + k), "Sup" + k, "cpusup" + k + tag);
            TestApi.putMember(pbx.abc, pbx.support, sup, true);
            pbx.account(Integer.toString(4000 + k), "Client" + k, "cpuclient" + k + tag);
            productAgents.add(id);
        }
        return ext;
    }

    private SippPhone supervisorProduct(int i, String ext, RtpEndpoint media, int holdMs) {
        String user = "cpusup" + i + tag;
        return SippPhone.start("cpu-sup" + i, "supervisor_bye_after.xml", SippPhone.freshPort(),
                vars("user", user, "domain", pbx.domain(), "dial", "*91" + ext, "rtp_ip", KamailioResource.HOST,
                        "rtp_port", Integer.toString(media.port()), "hold_ms", Integer.toString(holdMs)),
                "-au", user, "-ap", Pbx.SIP_PASSWORD, "-recv_timeout", "120000");
    }

    private SippPhone supervisorAsterisk(int i, String ext, RtpEndpoint media, int holdMs) throws Exception {
        String user = "sup" + ext;
        return SippPhone.start("cpu-sup" + i, VsAsteriskBench.scenario401("supervisor_bye_after.xml").toString(),
                SippPhone.freshPort(), asteriskTarget,
                vars("user", user, "domain", KamailioResource.HOST, "dial", "*91" + ext, "rtp_ip", KamailioResource.HOST,
                        "rtp_port", Integer.toString(media.port()), "hold_ms", Integer.toString(holdMs)),
                "-au", user, "-ap", Pbx.SIP_PASSWORD, "-recv_timeout", "120000");
    }

    private SippPhone asteriskAgent(String user, RtpEndpoint media) throws InterruptedException {
        return VsAsteriskBench.asteriskAgent(asteriskTarget, user, media);
    }

    /** "10,25,50" -> [10, 25, 50]; "0" or "" -> none. */
    static List<Integer> calls(String list) {
        List<Integer> r = new ArrayList<>();
        for (String p : list.split(",")) {
            if (!p.isBlank() && Integer.parseInt(p.trim()) > 0) {
                r.add(Integer.parseInt(p.trim()));
            }
        }
        return r;
    }

    /** "100:10" -> {100 calls, 10 supervised}; "0" or "" -> null (no mix phase). */
    static int[] mix(String spec) {
        if (spec.isBlank() || !spec.contains(":")) {
            return null;
        }
        String[] p = spec.split(":");
        return new int[]{Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())};
    }

    private static String fmt(Map<String, Double> m, String f) {
        StringBuilder b = new StringBuilder("(");
        m.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append(' ').append(String.format(f, v)));
        return b.append(')').toString();
    }

    /** The CPU lines of the report: each phase, then per N the ratio, then the mix with the targets. */
    static List<String> report(List<Result> results) {
        List<String> lines = new ArrayList<>();
        for (Result r : results) {
            lines.add(String.format("CPU %s: %d calls, %d whisper-supervised (%d verified: agent hears supervisor + client), "
                    + "%.0f s: %.1f ms CPU per s in total (%.1f %% of a core) = %.1f ms per s per supervised call%s; %s; "
                    + "Pss %.0f MiB %s; RSS %s; load average %.2f", r.system(), r.calls(), r.supervised(), r.whispering(),
                    r.seconds(), r.total(), r.corePct(), r.perCall(), Double.isNaN(r.idleMsPerS()) ? ""
                            : String.format(" (idle before: %.1f ms per s)", r.idleMsPerS()), fmt(r.msPerS(), "%.1f"),
                    r.pssTotal(), fmt(r.rssMib(), "%.0f MiB"), fmt(r.vmRssMib(), "%.0f MiB"), r.load1()));
        }
        for (Result p : results) {
            if (!p.system().equals(VsAsteriskBench.PRODUCT)) {
                continue;
            }
            results.stream().filter(a -> a.system().equals(VsAsteriskBench.ASTERISK) && a.calls() == p.calls()
                    && a.supervised() == p.supervised()).findFirst().ifPresent(a -> {
                        if (p.calls() == p.supervised()) {
                            double ratio = p.perCall() / a.perCall();
                            lines.add(String.format("CPU curve N=%d: product %.1f vs Asterisk %.1f ms CPU per s per "
                                    + "whisper-supervised call = %.2f (target <= 0.8: %s); load average %.2f / %.2f",
                                    p.calls(), p.perCall(), a.perCall(), ratio, ratio <= 0.8 ? "met"
                                            : String.format("missed by %.2f", ratio - 0.8), p.load1(), a.load1()));
                        } else {
                            double ratio = p.total() / a.total();
                            double service = p.vmRssMib().getOrDefault("service", 0.0);
                            lines.add(String.format("CPU mix %d calls, %d supervised: product %.1f %% vs Asterisk %.1f "
                                    + "%% of a core = %.2f (target <= 0.6: %s); service memory Pss %.0f MiB, RSS %.0f MiB "
                                    + "(target <= 200 MiB: %s); load average %.2f / %.2f", p.calls(), p.supervised(),
                                    p.corePct(), a.corePct(), ratio, ratio <= 0.6 ? "met"
                                            : String.format("missed by %.2f", ratio - 0.6),
                                    p.rssMib().getOrDefault("service", 0.0), service, service <= 200 ? "met"
                                            : String.format("missed by %.0f MiB", service - 200), p.load1(), a.load1()));
                        }
                    });
        }
        return lines;
    }
}
