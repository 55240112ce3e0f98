package io.callsup.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.callsup.media.RtpengineMixer;
import io.callsup.testsupport.BinScript;
import io.callsup.testsupport.Management;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * Pods come up in any order: the service starts while its rtpengine is not there yet. It must not
 * crash; readiness says DOWN and names rtpengine (the database and Kamailio UP, so nothing else is
 * to blame), liveness stays UP (a restart would not help). When the daemon comes up, readiness
 * turns UP within a bound (MediaStartup re-checks every 2 s) and the first ng commands work.
 * The daemon is a private one (ng port from {@link LateRtpengineProfile}, media 28000-28999),
 * started by the same bin/rtpengine-daemon the stack uses.
 */
@QuarkusTest
@TestProfile(LateRtpengineProfile.class)
class LateRtpengineTest {

    private static final Path RUN_DIR = Path.of("target", "rtpengine-late").toAbsolutePath();
    private static final long READY_BOUND_MS = 8_000;

    @Inject
    RtpengineMixer mixer;

    @Test
    void startsWithoutRtpengineNotReadyButLiveThenReadyWhenItComes() throws Exception {
        String daemon = "127.0.0.1:" + LateRtpengineProfile.NG_PORT;
        // The start-up check runs off the start-up thread: the first probe may come before its verdict.
        Response down = Management.given().get("/q/health/ready");
        long asked = System.nanoTime();
        while ("not checked yet".equals(down.jsonPath().getString("checks.find { it.name == 'rtpengine' }.data.startupCheck"))
                && (System.nanoTime() - asked) / 1_000_000 < READY_BOUND_MS) {
            Thread.sleep(100);
            down = Management.given().get("/q/health/ready");
        }
        System.out.println("readiness without rtpengine: " + down.asString());
        down.then().statusCode(503).body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'rtpengine' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'rtpengine' }.data.startupCheck", startsWith("failed"))
                .body("checks.find { it.name == 'rtpengine' }.data.'" + daemon + "'", equalTo("not answering"))
                .body("checks.find { it.name == 'Kamailio JSON-RPC' }.status", equalTo("UP"));
        assertThat(down.jsonPath().getList("checks.findAll { it.status == 'DOWN' }.name"))
                .as("only rtpengine is down").containsExactly("rtpengine");
        Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        Map<String, String> env = new HashMap<>();
        env.put("RTPENGINE_NG_PORT", Integer.toString(LateRtpengineProfile.NG_PORT));
        env.put("RTPENGINE_DTMF_LOG_DEST", "127.0.0.1:"
                + ConfigProvider.getConfig().getValue("callsup.media.dtmf-log.port", String.class));
        env.put("RTPENGINE_RUN_DIR", RUN_DIR.toString());
        BinScript.run("rtpengine-daemon", "stop", env, RUN_DIR); // one left by a killed run
        startInPrivateMediaRange(env);
        try {
            // The script returns once the daemon answers an ng ping: from here on it is up.
            long up = System.nanoTime();
            Response ready = Management.given().get("/q/health/ready");
            while (ready.statusCode() != 200 && (System.nanoTime() - up) / 1_000_000 < READY_BOUND_MS) {
                Thread.sleep(100);
                ready = Management.given().get("/q/health/ready");
            }
            long ms = (System.nanoTime() - up) / 1_000_000;
            System.out.println("readiness UP " + ms + " ms after rtpengine answered: " + ready.asString());
            ready.then().statusCode(200).body("status", equalTo("UP"))
                    .body("checks.find { it.name == 'rtpengine' }.data.startupCheck", startsWith("passed: rtpengine"))
                    .body("checks.find { it.name == 'rtpengine' }.data.'" + daemon + "'", equalTo("answering"));
            assertThat(ms).as("readiness UP after rtpengine came (ms)").isLessThan(READY_BOUND_MS);
            // The first ng commands through the service's own client: a ping and a 'list'.
            assertThat(mixer.alive(daemon)).isTrue();
            assertThat(mixer.supervisedCalls(daemon)).as("calls on a fresh daemon").isEmpty();
            Management.given().get("/q/health/live").then().statusCode(200);
        } finally {
            BinScript.run("rtpengine-daemon", "stop", env, RUN_DIR);
        }
    }

    /** Media 28000-28999 (the private range); a block another helper's daemon holds is skipped. */
    private static void startInPrivateMediaRange(Map<String, String> env) {
        IllegalStateException last = null;
        for (int block = 28000; block < 29000; block += 250) {
            env.put("RTPENGINE_PORT_MIN", Integer.toString(block));
            env.put("RTPENGINE_PORT_MAX", Integer.toString(block + 249));
            try {
                BinScript.run("rtpengine-daemon", "start", env, RUN_DIR);
                return;
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }
}
