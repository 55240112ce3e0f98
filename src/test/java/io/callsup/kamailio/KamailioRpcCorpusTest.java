package io.callsup.kamailio;

import io.callsup.testsupport.KamailioResource;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile requests to the real Kamailio's JSON-RPC port (event_route[xhttp:request]): exact paths,
 * POST only, the RPC secret (not the event secret), one JSON object, and only the methods the
 * service uses. Each case states the exact answer; afterwards Kamailio has not restarted, no dialog
 * or registration appeared, and its log carries neither secret.
 */
@QuarkusTest
class KamailioRpcCorpusTest {

    private static final String RPC = KamailioResource.RPC_SECRET;

    record Reply(int status, Map<String, String> headers, String body) {
    }

    record Case(String name, String method, String path, String secret, String body, int status, String inBody) {
    }

    /** Raw HTTP/1.1, so that paths reach Kamailio exactly as written (no client normalises them). */
    static Reply send(InetAddress from, int port, String method, String path, String secret, String body)
            throws IOException {
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + payload.length + "\r\n");
        if (secret != null) {
            head.append("X-Callsup-Secret: ").append(secret).append("\r\n");
        }
        head.append("\r\n");
        try (Socket s = new Socket()) {
            if (from != null) {
                s.bind(new InetSocketAddress(from, 0));
            }
            s.connect(new InetSocketAddress(KamailioResource.HOST, port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            return read(s.getInputStream());
        }
    }

    private static Reply read(InputStream in) throws IOException {
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside the reply head: " + headBytes);
            }
            headBytes.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
        return new Reply(status, headers, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    private static String call(String method) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":[],\"id\":7}";
    }

    private static List<Case> corpus() {
        String list = call("dlg.list");
        List<Case> c = new ArrayList<>();
        c.add(new Case("no secret", "POST", "/RPC", null, list, 401, null));
        c.add(new Case("wrong secret", "POST", "/RPC", "y".repeat(40), list, 401, null));
        c.add(new Case("event secret", "POST", "/RPC", KamailioResource.EVENT_SECRET, list, 401, null));
        c.add(new Case("secret prefix", "POST", "/RPC", RPC.substring(0, RPC.length() - 2), list, 401, null));
        c.add(new Case("no secret, core.kill", "POST", "/RPC", null, call("core.kill"), 401, null));
        c.add(new Case("dot-dot path", "POST", "/RPCX/../x", RPC, list, 404, null));
        c.add(new Case("trailing slash", "POST", "/RPC/", RPC, list, 404, null));
        c.add(new Case("prefix path", "POST", "/RPCX", RPC, list, 404, null));
        c.add(new Case("lower case path", "POST", "/rpc", RPC, list, 404, null));
        c.add(new Case("query string", "POST", "/RPC?x=1", RPC, list, 404, null));
        c.add(new Case("root", "POST", "/", RPC, list, 404, null));
        c.add(new Case("absolute URI", "POST", "http://127.0.0.1/RPC", RPC, list, 404, null));
        c.add(new Case("GET", "GET", "/RPC", RPC, null, 405, null));
        c.add(new Case("PUT", "PUT", "/RPC", RPC, list, 405, null));
        c.add(new Case("DELETE", "DELETE", "/RPC", RPC, null, 405, null));
        for (String m : new String[] {"core.kill", "ul.add", "dlg.bridge_dlg", "dlg.terminate_dlg", "core.version",
                "system.listMethods", "cfg.set", "htable.reload", "tm.t_uac_start", "dlg.list ", "dlg.listx",
                "xdlg.list", "DLG.LIST.X", "dlg_list"}) {
            c.add(new Case("method " + m, "POST", "/RPC", RPC, call(m), 403, "-32601"));
        }
        c.add(new Case("method as array", "POST", "/RPC", RPC,
                "{\"jsonrpc\":\"2.0\",\"method\":[\"dlg.list\"],\"id\":1}", 403, "-32601"));
        c.add(new Case("batch", "POST", "/RPC", RPC, "[" + list + "," + call("core.kill") + "]", 403, "-32600"));
        c.add(new Case("batch, leading space", "POST", "/RPC", RPC, " \n[" + list + "]", 403, "-32600"));
        c.add(new Case("duplicate method, allowed last", "POST", "/RPC", RPC,
                "{\"jsonrpc\":\"2.0\",\"method\":\"core.kill\",\"method\":\"dlg.list\",\"id\":1}", 400, "-32600"));
        c.add(new Case("duplicate method, other case", "POST", "/RPC", RPC,
                "{\"jsonrpc\":\"2.0\",\"METHOD\":\"core.kill\",\"method\":\"dlg.list\",\"id\":1}", 400, "-32600"));
        c.add(new Case("escaped key", "POST", "/RPC", RPC,
                "{\"jsonrpc\":\"2.0\",\"meth\\u006fd\":\"core.kill\",\"id\":1}", 400, "-32600"));
        c.add(new Case("not JSON", "POST", "/RPC", RPC, "core.kill", 400, "-32700"));
        c.add(new Case("no method", "POST", "/RPC", RPC, "{\"jsonrpc\":\"2.0\",\"id\":1}", 400, "-32700"));
        c.add(new Case("trailing second object", "POST", "/RPC", RPC, list + call("core.kill"), 400, null));
        return c;
    }

    private static long locations() {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) Panache.getEntityManager()
                .createNativeQuery("select count(*) from location").getSingleResult()).longValue());
    }

    private static long uptime() throws IOException {
        Reply r = send(null, KamailioResource.rpcPort(), "POST", "/RPC", RPC, call("core.uptime"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body()).getJsonObject("result").getLong("uptime");
    }

    private static Set<String> dialogs() throws IOException {
        Reply r = send(null, KamailioResource.rpcPort(), "POST", "/RPC", RPC, call("dlg.list"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Set<String> ids = new TreeSet<>();
        Matcher m = Pattern.compile("\"call-id\":\"([^\"]*)\"").matcher(r.body());
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    @Test
    void everyHostileRpcGetsItsExactAnswerAndChangesNothing() throws IOException {
        List<Case> corpus = corpus();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(30);
        long upBefore = uptime();
        Set<String> dialogsBefore = dialogs();
        long locationsBefore = locations();
        for (Case c : corpus) {
            Reply r = send(null, KamailioResource.rpcPort(), c.method(), c.path(), c.secret(), c.body());
            assertThat(r.status()).as(c.name() + ": " + r.body()).isEqualTo(c.status());
            if (c.inBody() != null) {
                assertThat(r.body()).as(c.name()).contains("\"error\"").contains(c.inBody()).doesNotContain("\"result\"");
            }
            if (c.status() == 405) {
                assertThat(r.headers().get("Allow")).as(c.name()).isEqualTo("POST");
            }
        }
        assertThat(uptime()).as("Kamailio did not restart (core.kill refused)").isGreaterThanOrEqualTo(upBefore);
        assertThat(dialogsBefore).as("no dialog appeared (dlg.bridge_dlg refused)").containsAll(dialogs());
        assertThat(locations()).as("no registration appeared (ul.add refused)").isEqualTo(locationsBefore);
        String log = Files.readString(KamailioResource.log());
        assertThat(log).as("Kamailio's log").contains("RPC refused")
                .doesNotContain(KamailioResource.RPC_SECRET).doesNotContain(KamailioResource.EVENT_SECRET);
    }

    @Test
    void theMethodsTheServiceUsesAreServed() throws IOException {
        assertThat(uptime()).isPositive();
        assertThat(dialogs()).isNotNull();
        Reply cancel = send(null, KamailioResource.rpcPort(), "POST", "/RPC", RPC,
                "{\"jsonrpc\":\"2.0\",\"method\":\"tm.cancel\",\"params\":[\"no-such-call\",\"1\"],\"id\":3}");
        // tm answers itself (its own error for an unknown transaction): none of the guard's refusals.
        assertThat(cancel.status()).as(cancel.body()).isNotIn(401, 403, 404, 405);
        assertThat(cancel.body()).as("tm.cancel passes the allow-list").doesNotContain("-32601")
                .doesNotContain("-32600").doesNotContain("-32700");
    }

    /** The source check (CS_SVC_NET) is a second wall: the right secret from another address is refused. */
    @Test
    void onlyTheServiceNetworkMayCall() throws IOException {
        try (KamailioResource.Instance k = KamailioResource.startSeparate("rpc-net", "http://127.0.0.1:9",
                Map.of("KAMAILIO_SERVICE_NET", "127.0.0.1/32"))) {
            Reply outside = send(InetAddress.getByName("127.0.0.2"), k.rpcPort(), "POST", "/RPC", RPC, call("core.uptime"));
            assertThat(outside.status()).isEqualTo(403);
            Reply inside = send(InetAddress.getByName("127.0.0.1"), k.rpcPort(), "POST", "/RPC", RPC, call("core.uptime"));
            assertThat(inside.status()).as(inside.body()).isEqualTo(200);
        }
    }
}
