package io.callsup.media;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Start-up check: each configured daemon answers, knows the commands supervision needs, and is
 * rtpengine >= {@value #REQUIRED_MAJOR}.
 * <p>
 * How: {@code ping}; {@code connect} on a call-id that does not exist must fail with "Unknown
 * call-ID" (an older daemon says "Unrecognized command"); a throw-away {@code create} on a fresh
 * probe call-id returns an SDP whose session name carries the version
 * ({@code s=rtpengine-26-0-1-26-...}); the probe call is deleted again. No tag of a real call is
 * ever named.
 */
@Singleton
public class RtpengineCheck {
    public static final int REQUIRED_MAJOR = 26;
    private static final Pattern VERSION = Pattern.compile("(?m)^s=rtpengine-(\\d+)-(\\d+)-(\\d+)-(\\d+)");

    private final NgClient ng;

    @Inject
    public RtpengineCheck(NgClient ng) {
        this.ng = ng;
    }

    /** Checks every configured daemon; completes with their versions (e.g. "26.0.1.26"). */
    public Uni<List<String>> checkAll() {
        return Uni.createFrom().completionStage(() -> {
            Future<List<String>> chain = Future.succeededFuture(new ArrayList<>());
            for (NgAddress d : ng.daemons()) {
                chain = chain.compose(list -> check(d).map(v -> {
                    list.add(v);
                    return list;
                }));
            }
            return chain.toCompletionStage();
        });
    }

    Future<String> check(NgAddress d) {
        String need = "rtpengine >= " + REQUIRED_MAJOR + " (publish bidirectional, connect directional, inject, "
                + "audio player)";
        String probe = "callsup-probe-" + UUID.randomUUID();
        return ng.request(d, dict("command", "ping"))
                .recover(err -> Future.failedFuture(new RtpengineUnsupportedException("rtpengine at " + d
                        + " does not answer the ng protocol (" + err.getMessage() + "); need " + need)))
                .compose(x -> ng.request(d, dict("command", "connect", "call-id", probe, "from-tag", "p", "to-tag", "q"))
                        .<Void>transform(ar -> {
                            if (ar.failed() && ar.cause() instanceof RtpengineErrorException e && e.isUnknownCall()) {
                                return Future.succeededFuture();
                            }
                            String why = ar.failed() ? ar.cause().getMessage() : "unexpected success";
                            return Future.failedFuture(new RtpengineUnsupportedException("rtpengine at " + d
                                    + " does not support 'connect' (" + why + "); need " + need));
                        }))
                .compose(x -> ng.request(d, dict("command", "create", "call-id", probe, "from-tag", "probe")))
                .compose(reply -> {
                    String sdp = reply.get("sdp") instanceof String s ? s : "";
                    Matcher m = VERSION.matcher(sdp);
                    Future<Void> cleanup = ng.request(d, dict("command", "delete", "call-id", probe)).mapEmpty();
                    Future<String> result;
                    if (!m.find()) {
                        result = Future.failedFuture(new RtpengineUnsupportedException("rtpengine at " + d
                                + " did not reveal its version in a created SDP; need " + need));
                    } else {
                        String version = m.group(1) + "." + m.group(2) + "." + m.group(3) + "." + m.group(4);
                        result = Integer.parseInt(m.group(1)) >= REQUIRED_MAJOR ? Future.succeededFuture(version)
                                : Future.failedFuture(new RtpengineUnsupportedException("rtpengine at " + d
                                        + " is version " + version + "; need " + need));
                    }
                    return cleanup.transform(x -> result);
                }, err -> Future.failedFuture(err instanceof RtpengineUnsupportedException ? err
                        : new RtpengineUnsupportedException("rtpengine at " + d + " cannot create a party ("
                                + err.getMessage() + "); need " + need)));
    }

    private static Map<String, Object> dict(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
