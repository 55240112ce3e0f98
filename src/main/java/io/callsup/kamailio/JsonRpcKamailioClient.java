package io.callsup.kamailio;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** JSON-RPC 2.0 over HTTP to Kamailio's jsonrpcs module, with the RPC secret on every call. */
@ApplicationScoped
public class JsonRpcKamailioClient implements KamailioRpc {

    static final String SECRET_HEADER = "X-Callsup-Secret";
    private static final int DIALOG_CONFIRMED = 4;

    private final KamailioConfig config;
    private final WebClient client;
    private final MeterRegistry meters;
    private final AtomicLong ids = new AtomicLong();

    public JsonRpcKamailioClient(KamailioConfig config, Vertx vertx, MeterRegistry meters) {
        this.config = config;
        this.client = WebClient.create(vertx);
        this.meters = meters;
    }

    @PreDestroy
    void close() {
        client.close();
    }

    @Override
    public List<DialogInfo> confirmedDialogs() {
        Object result = call("dlg.list", new JsonArray(), config.rpcTimeout());
        List<DialogInfo> dialogs = new ArrayList<>();
        if (result instanceof JsonArray array) {
            for (Object o : array) {
                if (o instanceof JsonObject d && d.getInteger("state", 0) == DIALOG_CONFIRMED) {
                    dialogs.add(toDialog(d));
                }
            }
        }
        return dialogs;
    }

    private static DialogInfo toDialog(JsonObject d) {
        JsonObject caller = d.getJsonObject("caller", new JsonObject());
        JsonObject callee = d.getJsonObject("callee", new JsonObject());
        Map<String, String> variables = new LinkedHashMap<>();
        Object vars = d.getValue("variables");
        // dlg.list renders variables as a list of one-entry objects.
        if (vars instanceof JsonArray list) {
            for (Object v : list) {
                if (v instanceof JsonObject entry) {
                    entry.forEach(e -> variables.put(e.getKey(), String.valueOf(e.getValue())));
                }
            }
        } else if (vars instanceof JsonObject map) {
            map.forEach(e -> variables.put(e.getKey(), String.valueOf(e.getValue())));
        }
        return new DialogInfo(d.getString("call-id"), caller.getString("tag"), callee.getString("tag"),
                d.getString("from_uri", caller.getString("uri")), d.getString("to_uri", callee.getString("uri")),
                d.getInteger("state", 0),
                d.getLong("h_entry", 0L), d.getLong("h_id", 0L), variables);
    }

    @Override
    public boolean endDialog(DialogKey key, String reason) {
        String header = "Reason: SIP;cause=200;text=\"" + reason.replace("\"", "'") + "\"\r\n";
        boolean ended = false;
        // Every match, not the first: two confirmed dialogs with the same Call-ID and tags are one
        // dialog as far as SIP can tell (a stale copy whose phones left), and ending only the first
        // listed could leave the live one up.
        for (DialogInfo dialog : confirmedDialogs()) {
            if (key.matches(dialog)) {
                call("dlg.end_dlg", new JsonArray().add(dialog.hEntry()).add(dialog.hId()).add(header),
                        config.rpcTimeout());
                ended = true;
            }
        }
        return ended;
    }

    @Override
    public UacReply uacWait(String method, String ruri, String nextHop, String sendSocket, String headers,
                            String body) {
        Object result = call("tm.t_uac_wait", new JsonArray().add(method).add(ruri).add(nextHop == null ? "." : nextHop)
                .add(sendSocket == null ? "." : sendSocket).add(headers).add(body == null ? "" : body),
                config.uacWaitTimeout());
        return parseUacReply(result);
    }

    /**
     * tm's RPC callback adds the code, the reason, (for a 2xx) the dialog's URIs and route set, and
     * last the whole reply from its first header on; jsonrpcs renders several values as an array.
     */
    static UacReply parseUacReply(Object result) {
        if (result instanceof JsonArray array && array.size() >= 2) {
            int code = Integer.parseInt(String.valueOf(array.getValue(0)).trim());
            String reason = String.valueOf(array.getValue(1));
            Object last = array.getValue(array.size() - 1);
            return new UacReply(code, reason, array.size() > 2 && last instanceof String m ? m : null);
        }
        if (result instanceof JsonObject reply) {
            return new UacReply(reply.getInteger("code", 0), reply.getString("reason"), reply.getString("message"));
        }
        throw new KamailioRpcException("tm.t_uac_wait answered with an unexpected shape: " + result);
    }

    @Override
    public void cancel(String callId, String cseq) {
        call("tm.cancel", new JsonArray().add(callId).add(cseq), config.rpcTimeout());
    }

    @Override
    public Duration uptime() {
        // {"now": "...", "up_since": "...", "uptime": <seconds>}
        Object result = call("core.uptime", new JsonArray(), config.rpcTimeout());
        if (result instanceof JsonObject o && o.getValue("uptime") instanceof Number seconds) {
            return Duration.ofSeconds(seconds.longValue());
        }
        throw new KamailioRpcException("core.uptime answered with an unexpected shape: " + result);
    }

    /**
     * Every failed call counts in {@code callsup.kamailio.rpc.errors} by RPC method, whatever the
     * caller then does with the exception (the reconciler, readiness and the API each handle it
     * their own way), so an operator sees Kamailio trouble even where nothing is logged.
     */
    private Object call(String method, JsonArray params, Duration timeout) {
        try {
            return send(method, params, timeout);
        } catch (KamailioRpcException e) {
            meters.counter("callsup.kamailio.rpc.errors", "method", method).increment();
            throw e;
        }
    }

    private Object send(String method, JsonArray params, Duration timeout) {
        JsonObject request = new JsonObject().put("jsonrpc", "2.0").put("method", method).put("params", params)
                .put("id", ids.incrementAndGet());
        HttpResponse<Buffer> response;
        try {
            response = client.postAbs(config.rpcUrl())
                    .putHeader(SECRET_HEADER, config.rpcSecret().reveal())
                    .timeout(timeout.toMillis())
                    .sendJsonObject(request)
                    .await().atMost(timeout.plusSeconds(1));
        } catch (RuntimeException e) {
            throw new KamailioRpcException("Kamailio JSON-RPC " + method + " at " + config.rpcUrl() + " failed: "
                    + e.getMessage(), e);
        }
        if (response.statusCode() != 200) {
            throw new KamailioRpcException("Kamailio JSON-RPC " + method + " answered HTTP " + response.statusCode()
                    + " " + response.statusMessage());
        }
        JsonObject body;
        try {
            body = response.bodyAsJsonObject();
        } catch (RuntimeException e) {
            throw new KamailioRpcException("Kamailio JSON-RPC " + method + " answered with malformed JSON", e);
        }
        if (body.containsKey("error")) {
            throw new KamailioRpcException("Kamailio JSON-RPC " + method + " failed: " + body.getValue("error"));
        }
        return body.getValue("result");
    }
}
