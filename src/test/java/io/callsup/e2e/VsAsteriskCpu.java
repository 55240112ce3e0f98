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

    record Result(String system, int calls, int whispering, double idleMsPerS, Map<String, Double> msPerS,
                  Map<String, Double> rssMib, double load1) {
        double total() {
            return msPerS.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        double perCall() {
            return total() / calls;
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

    Result run(boolean product, int n, Duration steady) throws Exception {
        BenchCpu cpu = product ? productCpu() : asteriskCpu();
        String system = product ? VsAsteriskBench.PRODUCT : VsAsteriskBench.ASTERISK;
        Duration idle = Duration.ofSeconds(10);
        var t0 = cpu.ticks();
        Thread.sleep(idle.toMillis());
        double idleMs = BenchCpu.msPerSecond(t0, cpu.ticks(), idle.toMillis() / 1000.0).values().stream()
                .mapToDouble(Double::doubleValue).sum();
        int holdMs = (int) (steady.toMillis() + 20_000);
        List<AutoCloseable> open = new ArrayList<>();
        List<RtpEndpoint> agents = new ArrayList<>();
        List<SippPhone> phones = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                RtpEndpoint agent = add(open, new RtpEndpoint("agent" + i, VsAsteriskBench.AGENT_HZ));
                RtpEndpoint client = add(open, new RtpEndpoint("client" + i, VsAsteriskBench.CLIENT_HZ));
                agents.add(agent);
                String ext = product ? productAgent(i) : Integer.toString(750 + i);
                SippPhone agentPhone = add(open, product
                        ? pbx.answeringPhone("cpu-agent" + i, "cpuagent" + i + tag, agent)
                        : asteriskAgent("agent" + ext, agent));
                // The product's trunk is one fixed source port (one SIPp at a time): its N clients are
                // accounts of the same customer instead, calling with digest auth (only set-up differs).
                String clientUser = "cpuclient" + i + tag;
                SippPhone clientPhone = add(open, product
                        ? SippPhone.start("cpu-client" + i, "uac_call.xml", SippPhone.freshPort(),
                        vars("user", clientUser, "domain", pbx.domain(), "target", ext, "rtp_ip", KamailioResource.HOST,
                                "rtp_port", Integer.toString(client.port()), "hold_ms", Integer.toString(holdMs + 5000)),
                        "-au", clientUser, "-ap", Pbx.SIP_PASSWORD)
                        : SippPhone.start("cpu-client" + i, "uac_call.xml", SippPhone.freshPort(), asteriskTarget,
                        vars("user", "client", "domain", KamailioResource.HOST, "target", ext, "rtp_ip",
                                KamailioResource.HOST, "rtp_port", Integer.toString(client.port()), "hold_ms",
                                Integer.toString(holdMs + 5000))));
                Pbx.connect(agent, agentPhone);
                Pbx.connect(client, clientPhone);
                phones.add(agentPhone);
                phones.add(clientPhone);
            }
            List<RtpEndpoint> sups = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                RtpEndpoint sup = add(open, new RtpEndpoint("sup" + i, VsAsteriskBench.SUP_HZ));
                String ext = product ? productAgent(i) : Integer.toString(750 + i);
                SippPhone sp = add(open, product ? supervisorProduct(i, ext, sup, holdMs)
                        : supervisorAsterisk(i, ext, sup, holdMs));
                Pbx.connect(sup, sp);
                sups.add(sup);
                phones.add(sp);
            }
            Thread.sleep(3000);
            int whispering = 0;
            for (RtpEndpoint a : agents) {
                if (a.awaitPacket(a.mark(), VsAsteriskBench.has(VsAsteriskBench.SUP_HZ, VsAsteriskBench.CLIENT_HZ),
                        Duration.ofSeconds(1)) > 0) {
                    whispering++;
                }
            }
            double load = BenchFigures.loadAvg1();
            var before = cpu.ticks();
            long s0 = System.nanoTime();
            Thread.sleep(steady.toMillis());
            var after = cpu.ticks();
            double secs = (System.nanoTime() - s0) / 1e9;
            Map<String, Double> rss = cpu.rssMib();
            Result r = new Result(system, n, whispering, idleMs, BenchCpu.msPerSecond(before, after, secs), rss,
                    (load + BenchFigures.loadAvg1()) / 2);
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

    private static <T extends AutoCloseable> T add(List<AutoCloseable> open, T c) {
        open.add(c);
        return c;
    }

    /** Agent i of the product (extension 760+i) in the Support hunt group, created once. */
    private String productAgent(int i) {
        String ext = Integer.toString(760 + i);
        while (productAgents.size() <= i) {
            int k = productAgents.size();
            long id = pbx.account(Integer.toString(760 + k), "Agent" + k, "cpuagent" + k + tag);
            TestApi.putMember(pbx.abc, pbx.support, id, false);
            long sup = pbx.account(Integer.toString(780 + k), "Sup" + k, "cpusup" + k + tag);
            TestApi.putMember(pbx.abc, pbx.support, sup, true);
            pbx.account(Integer.toString(800 + k), "Client" + k, "cpuclient" + k + tag);
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
        String user = "sup" + (750 + i);
        return SippPhone.start("cpu-sup" + i, VsAsteriskBench.scenario401("supervisor_bye_after.xml").toString(),
                SippPhone.freshPort(), asteriskTarget,
                vars("user", user, "domain", KamailioResource.HOST, "dial", "*91" + ext, "rtp_ip", KamailioResource.HOST,
                        "rtp_port", Integer.toString(media.port()), "hold_ms", Integer.toString(holdMs)),
                "-au", user, "-ap", Pbx.SIP_PASSWORD, "-recv_timeout", "120000");
    }

    private SippPhone asteriskAgent(String user, RtpEndpoint media) throws InterruptedException {
        return VsAsteriskBench.asteriskAgent(asteriskTarget, user, media);
    }
}
