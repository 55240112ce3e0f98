package io.callsup.api;

import io.callsup.testsupport.TestApi;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The rows of {@link HostileRestCorpusTest}: what is sent, and the exact answer expected. */
final class HostileRestCorpus {

    private HostileRestCorpus() {
    }

    enum As { ANONYMOUS, MANAGER, READ_ONLY, NO_PERMISSION, ADMIN, TOKEN, RAW }

    record Case(String name, String method, String path, As as, String authorization, Map<String, String> headers,
                byte[] body, String contentType, int status, String slug, String field) {

        @Override
        public String toString() {
            return name;
        }

        HttpRequest request(HostileRestCorpusTest.Fixture f, String base) {
            String p = path;
            for (Map.Entry<String, String> v : f.values().entrySet()) {
                p = p.replace(v.getKey(), v.getValue());
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + p)).timeout(Duration.ofSeconds(20))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            String auth = switch (as) {
                case ANONYMOUS -> null;
                case MANAGER -> basic(f.a.username(), TestApi.PASSWORD);
                case READ_ONLY -> basic(f.readOnly, HostileRestCorpusTest.PW);
                case NO_PERMISSION -> basic(f.nothing, HostileRestCorpusTest.PW);
                case ADMIN -> basic(TestApi.ADMIN_USER, TestApi.ADMIN_PASSWORD);
                case TOKEN -> "Bearer " + f.token;
                case RAW -> authorization;
            };
            if (auth != null) {
                b.header("Authorization", auth);
            }
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            headers.forEach(b::header);
            return b.build();
        }
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String basicBytes(byte[] raw) {
        return "Basic " + Base64.getEncoder().encodeToString(raw);
    }

    private static final String JSON = "application/json";
    private static final String CALLS = "/api/v1/calls";
    private static final String ACCOUNTS = "/api/v1/customer/accounts";
    private static final String CREDENTIALS = "/api/v1/customer/credentials";
    private static final String JOIN = "/api/v1/calls/no-such-call/supervisors";
    private static final String NOWHERE_UUID = "00000000-0000-0000-0000-000000000000";

    private static final List<Case> CASES = new ArrayList<>();

    private static void add(String name, String method, String path, As as, String auth, Map<String, String> headers,
                            String body, String contentType, int status, String slug, String field) {
        CASES.add(new Case(name, method, path, as, auth, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                contentType, status, slug, field));
    }

    private static void auth(String name, String authorization, int status, String slug, String field) {
        add("auth: " + name, "GET", CALLS, As.RAW, authorization, Map.of(), null, null, status, slug, field);
    }

    private static void body(String name, String method, String path, String body, int status, String slug,
                             String field) {
        add("body: " + name, method, path, As.MANAGER, null, Map.of(), body, JSON, status, slug, field);
    }

    private static void get(String name, String path, As as, int status, String slug, String field) {
        add("path: " + name, "GET", path, as, null, Map.of(), null, null, status, slug, field);
    }

    static {
        // ---- Authorization header
        auth("none", null, 401, "unauthenticated", null);
        auth("NUL in Basic username", basic("ad\u0000min", "x-password"), 400, "malformed-credentials", "username");
        auth("NUL in Basic password", basic("someone", "pass\u0000word"), 400, "malformed-credentials", "password");
        auth("SOH in Basic username", basic("a\u0001b", "x-password"), 400, "malformed-credentials", "username");
        auth("CR LF in Basic username", basic("a\r\nX-Injected: 1", "x-password"), 400, "malformed-credentials", "username");
        auth("DEL in Basic username", basic("a\u007fb", "x-password"), 400, "malformed-credentials", "username");
        auth("C1 control in Basic username", basic("a\u0085b", "x-password"), 400, "malformed-credentials", "username");
        auth("invalid UTF-8 in Basic username", basicBytes(new byte[]{(byte) 0xff, (byte) 0xfe, ':', 'p', 'w'}), 400,
                "malformed-credentials", "username");
        auth("Basic not Base64", "Basic !!!not-base64!!!", 400, "malformed-credentials", "Authorization");
        auth("Basic without colon", basicBytes("no-colon".getBytes(StandardCharsets.UTF_8)), 400,
                "malformed-credentials", "Authorization");
        auth("Basic with nothing", "Basic", 400, "malformed-credentials", "Authorization");
        auth("Basic empty username", basic("", "x-password"), 400, "malformed-credentials", "username");
        auth("Basic empty password", basic("someone", ""), 400, "malformed-credentials", "password");
        auth("Basic username of 301 characters", basic("u".repeat(301), "x-password"), 400, "malformed-credentials",
                "username");
        auth("Basic password of 1025 characters", basic("someone", "p".repeat(1025)), 400, "malformed-credentials",
                "password");
        auth("Basic unknown user", basic("nobody-at-all", "x-password"), 401, "unauthenticated", null);
        auth("Basic known user, wrong password", basic(TestApi.ADMIN_USER, "wrong-password"), 401, "unauthenticated", null);
        auth("Basic qualified name of no customer", basic("someone@no-such.pbx.test", "x-password"), 401,
                "unauthenticated", null);
        auth("Basic SQL in username", basic("' OR '1'='1", "' OR '1'='1"), 401, "unauthenticated", null);
        auth("Basic LIKE wildcard username", basic("%", "x-password"), 401, "unauthenticated", null);
        auth("Bearer empty", "Bearer ", 400, "malformed-credentials", "Authorization");
        auth("Bearer with space", "Bearer abc def", 400, "malformed-credentials", "Authorization");
        auth("Bearer of 1025 characters", "Bearer " + "t".repeat(1025), 400, "malformed-credentials", "Authorization");
        auth("Bearer made up", "Bearer cst_madeUpTokenThatWasNeverIssuedByTheService0000000", 401, "unauthenticated",
                null);
        auth("Bearer looking like Basic", "Bearer " + Base64.getEncoder().encodeToString("operator:operator-secret-1"
                .getBytes(StandardCharsets.UTF_8)), 401, "unauthenticated", null);
        auth("Digest scheme", "Digest username=\"operator\"", 401, "unauthenticated", null);
        auth("unknown scheme", "Negotiate abc", 401, "unauthenticated", null);

        // ---- Who may do what
        get("customer endpoint as administrator", ACCOUNTS, As.ADMIN, 403, "forbidden", null);
        get("admin endpoint as customer", "/api/v1/admin/customers", As.MANAGER, 403, "forbidden", null);
        get("admin endpoint with a token", "/api/v1/admin/customers", As.TOKEN, 403, "forbidden", null);
        get("calls without a permission", CALLS, As.NO_PERMISSION, 403, "missing-permission", null);
        get("another customer's account with a token", ACCOUNTS + "/{bAccount}", As.TOKEN, 404, "not-found", null);
        add("join with a read-only credential and a key", "POST", JOIN, As.READ_ONLY, null,
                Map.of("Idempotency-Key", "corpus-1"), "{\"supervisorAccountId\":1,\"mode\":\"SPY\"}", JSON, 403,
                "missing-permission", null);
        add("join without permission and a key", "POST", JOIN, As.NO_PERMISSION, null,
                Map.of("Idempotency-Key", "corpus-1"), "{\"supervisorAccountId\":1,\"mode\":\"SPY\"}", JSON, 403,
                "missing-permission", null);
        add("token mints a token", "POST", CREDENTIALS + "/{credential}/tokens", As.TOKEN, null, Map.of(),
                "{\"name\":\"again\"}", JSON, 403, "password-required", null);

        // ---- Content-Type and bodies
        String account = "{\"extension\":\"799\",\"displayName\":\"Eve\",\"sipUsername\":\"eve-corpus\","
                + "\"sipPassword\":\"sip-secret-799\"}";
        add("body: no Content-Type", "POST", ACCOUNTS, As.MANAGER, null, Map.of(), account, null, 415,
                "unsupported-media-type", "Content-Type");
        add("body: text/plain", "POST", ACCOUNTS, As.MANAGER, null, Map.of(), account, "text/plain", 415,
                "unsupported-media-type", "Content-Type");
        add("body: application/xml", "POST", ACCOUNTS, As.MANAGER, null, Map.of(), "<account/>", "application/xml",
                415, "unsupported-media-type", "Content-Type");
        add("body: form encoded", "POST", ACCOUNTS, As.MANAGER, null, Map.of(), "extension=799",
                "application/x-www-form-urlencoded", 415, "unsupported-media-type", "Content-Type");
        body("truncated JSON", "POST", ACCOUNTS, "{\"extension\":\"79", 400, "malformed-body", null);
        body("not JSON", "POST", ACCOUNTS, "extension=799", 400, "malformed-body", null);
        body("array instead of object", "POST", ACCOUNTS, "[" + account + "]", 400, "malformed-body", null);
        body("number for a string", "POST", ACCOUNTS, account.replace("\"799\"", "799"), 400, "malformed-body",
                "extension");
        body("boolean for a string", "POST", ACCOUNTS, account.replace("\"Eve\"", "true"), 400, "malformed-body",
                "displayName");
        body("object for a string", "POST", ACCOUNTS, account.replace("\"Eve\"", "{}"), 400, "malformed-body",
                "displayName");
        body("NUL in a display name", "POST", ACCOUNTS, account.replace("Eve", "Ev\\u0000e"), 400, "malformed-body",
                "displayName");
        body("BEL in a display name", "POST", ACCOUNTS, account.replace("Eve", "Ev\\u0007e"), 400, "malformed-body",
                "displayName");
        body("newline in a SIP username", "POST", ACCOUNTS, account.replace("eve-corpus", "eve\\ncorpus"), 400,
                "malformed-body", "sipUsername");
        body("unknown field", "POST", ACCOUNTS, account.replace("{", "{\"admin\":true,"), 400, "malformed-body",
                "admin");
        body("empty object", "POST", ACCOUNTS, "{}", 400, "validation", "extension");
        body("JSON null", "POST", ACCOUNTS, "null", 400, "validation", null);
        body("extension too long", "POST", ACCOUNTS, account.replace("\"799\"", "\"" + "7".repeat(40) + "\""), 400,
                "validation", "extension");
        body("deeply nested JSON", "POST", ACCOUNTS, "[".repeat(5000) + "]".repeat(5000), 400, "malformed-body", null);
        add("body: invalid UTF-8", "POST", ACCOUNTS, As.MANAGER, null, Map.of(), null, JSON, 400, "malformed-body", null);
        body("string for a number", "POST", CREDENTIALS, "{\"username\":\"corpus-x\",\"password\":\"long-enough-pw-1\","
                + "\"realm\":\"CUSTOMER\",\"roleId\":\"5\"}", 400, "malformed-body", "roleId");
        body("number beyond long", "POST", CREDENTIALS, "{\"username\":\"corpus-x\",\"password\":\"long-enough-pw-1\","
                + "\"realm\":\"CUSTOMER\",\"roleId\":99999999999999999999}", 400, "malformed-body", "roleId");
        body("fraction for an id", "POST", CREDENTIALS, "{\"username\":\"corpus-x\",\"password\":\"long-enough-pw-1\","
                + "\"realm\":\"CUSTOMER\",\"roleId\":1.5}", 400, "malformed-body", "roleId");
        body("unknown realm", "POST", CREDENTIALS, "{\"username\":\"corpus-x\",\"password\":\"long-enough-pw-1\","
                + "\"realm\":\"ROOT\",\"roleId\":1}", 400, "malformed-body", "realm");
        body("realm as a number", "POST", CREDENTIALS, "{\"username\":\"corpus-x\",\"password\":\"long-enough-pw-1\","
                + "\"realm\":1,\"roleId\":1}", 400, "malformed-body", "realm");
        body("administrator realm from a customer", "POST", CREDENTIALS, "{\"username\":\"corpus-x\",\"password\":"
                + "\"long-enough-pw-1\",\"realm\":\"ADMINISTRATOR\",\"roleId\":1}", 400, "validation", "realm");
        body("NUL in a username", "POST", CREDENTIALS, "{\"username\":\"corp\\u0000us\",\"password\":"
                + "\"long-enough-pw-1\",\"realm\":\"CUSTOMER\",\"roleId\":1}", 400, "malformed-body", "username");
        body("space in a username", "POST", CREDENTIALS, "{\"username\":\"corp us\",\"password\":"
                + "\"long-enough-pw-1\",\"realm\":\"CUSTOMER\",\"roleId\":1}", 400, "validation", "username");
        body("short password", "POST", CREDENTIALS, "{\"username\":\"corpus-x\",\"password\":\"short\","
                + "\"realm\":\"CUSTOMER\",\"roleId\":1}", 400, "validation", "password");
        body("string for a boolean", "PUT", "/api/v1/customer/hunt-groups/{group}/members/{account}",
                "{\"supervisionAllowed\":\"true\"}", 400, "malformed-body", "supervisionAllowed");
        body("number for a boolean", "PUT", "/api/v1/customer/hunt-groups/{group}/members/{account}",
                "{\"supervisionAllowed\":1}", 400, "malformed-body", "supervisionAllowed");
        body("CUSTOM rule without custom codes", "PUT", "/api/v1/customer/dialing-rule", "{\"kind\":\"CUSTOM\"}", 400,
                "validation", "custom");
        body("rule kind in lower case", "PUT", "/api/v1/customer/dialing-rule", "{\"kind\":\"custom\"}", 400,
                "malformed-body", "kind");
        body("join with an unknown mode", "POST", JOIN, "{\"supervisorAccountId\":1,\"mode\":\"LISTEN\"}", 400,
                "malformed-body", "mode");
        body("join with a ring timeout of 0", "POST", JOIN, "{\"supervisorAccountId\":1,\"mode\":\"SPY\","
                + "\"ringTimeoutSeconds\":0}", 400, "validation", "ringTimeoutSeconds");
        body("join with a string supervisor", "POST", JOIN, "{\"supervisorAccountId\":\"1\",\"mode\":\"SPY\"}", 400,
                "malformed-body", "supervisorAccountId");
        body("token with a NUL in its name", "POST", CREDENTIALS + "/{credential}/tokens", "{\"name\":\"a\\u0000b\"}", 400,
                "malformed-body", "name");
        body("token living 10 years", "POST", CREDENTIALS + "/{credential}/tokens", "{\"name\":\"long\","
                + "\"lifetimeDays\":3650}", 400, "validation", "lifetimeDays");

        // ---- Idempotency-Key
        String join = "{\"supervisorAccountId\":1,\"mode\":\"SPY\"}";
        add("key: empty", "POST", JOIN, As.MANAGER, null, Map.of("Idempotency-Key", ""), join, JSON, 400, "validation",
                "Idempotency-Key");
        add("key: blanks", "POST", JOIN, As.MANAGER, null, Map.of("Idempotency-Key", "   "), join, JSON, 400,
                "validation", "Idempotency-Key");
        add("key: 256 characters", "POST", JOIN, As.MANAGER, null, Map.of("Idempotency-Key", "k".repeat(256)), join,
                JSON, 400, "validation", "Idempotency-Key");
        add("key: inner space", "POST", JOIN, As.MANAGER, null, Map.of("Idempotency-Key", "a b"), join, JSON, 400,
                "validation", "Idempotency-Key");
        add("key: on a session that is nowhere", "DELETE", "/api/v1/supervision-sessions/" + NOWHERE_UUID, As.MANAGER,
                null, Map.of("Idempotency-Key", "corpus-del"), null, null, 404, "not-found", null);

        // ---- Path and query parameters
        get("huntGroupId=abc", CALLS + "?huntGroupId=abc", As.MANAGER, 400, "validation", "huntGroupId");
        get("huntGroupId=1.5", CALLS + "?huntGroupId=1.5", As.MANAGER, 400, "validation", "huntGroupId");
        get("huntGroupId beyond long", CALLS + "?huntGroupId=99999999999999999999", As.MANAGER, 400, "validation",
                "huntGroupId");
        get("huntGroupId=%00", CALLS + "?huntGroupId=%00", As.MANAGER, 400, "validation", "huntGroupId");
        get("account id abc", ACCOUNTS + "/abc", As.MANAGER, 400, "validation", "id");
        get("account id 1e3", ACCOUNTS + "/1e3", As.MANAGER, 400, "validation", "id");
        get("account id -1", ACCOUNTS + "/-1", As.MANAGER, 404, "not-found", null);
        get("account id of another customer", ACCOUNTS + "/{bAccount}", As.MANAGER, 404, "not-found", null);
        get("session id not a UUID", "/api/v1/supervision-sessions/not-a-uuid", As.MANAGER, 400, "validation", "id");
        get("session id nowhere", "/api/v1/supervision-sessions/" + NOWHERE_UUID, As.MANAGER, 404, "not-found", null);
        get("call id %00", CALLS + "/%00", As.MANAGER, 400, "validation", "callId");
        add("path: join call id with %01", "POST", CALLS + "/a%01b/supervisors", As.MANAGER, null, Map.of(),
                "{\"supervisorAccountId\":1,\"mode\":\"SPY\"}", JSON, 400, "validation", "callId");
        get("call id of 300 characters", CALLS + "/" + "c".repeat(300), As.MANAGER, 400, "validation", "callId");
        get("customer id abc (admin)", "/api/v1/admin/customers/abc", As.ADMIN, 400, "validation", "id");
        get("credential tokens of abc", CREDENTIALS + "/abc/tokens", As.MANAGER, 400, "validation", "credentialId");
        add("path: member ids abc/xyz", "PUT", "/api/v1/customer/hunt-groups/abc/members/xyz", As.MANAGER, null,
                Map.of(), "{\"supervisionAllowed\":true}", JSON, 400, "validation", "id");
        add("path: delete credential abc", "DELETE", CREDENTIALS + "/abc", As.MANAGER, null, Map.of(), null, null, 400,
                "validation", "id");
        get("unknown resource", "/api/v1/nothing-here", As.MANAGER, 404, "http-404", null);
        add("path: method not allowed", "PATCH", ACCOUNTS, As.MANAGER, null, Map.of(), "{}", JSON, 405, "http-405", null);
        add("path: XML wanted", "GET", CALLS, As.MANAGER, null, Map.of("Accept", "application/xml"), null, null, 406,
                "http-406", null);

        // ---- Sizes
        get("URI of 5000 characters", CALLS + "?extension=" + "9".repeat(5000), As.MANAGER, 414, "uri-too-long", "uri");
        add("size: headers of 20 KB", "GET", CALLS, As.MANAGER, null, Map.of("X-Padding", "p".repeat(20_000)), null,
                null, 431, "headers-too-large", "headers");
        body("body of 300 KB", "POST", ACCOUNTS, "{\"displayName\":\"" + "x".repeat(300_000) + "\"}", 413,
                "body-too-large", "body");
    }

    static List<Case> all() {
        List<Case> all = new ArrayList<>(CASES);
        // Bytes that are not UTF-8 inside a JSON string: built here, the helpers speak strings.
        for (int i = 0; i < all.size(); i++) {
            Case c = all.get(i);
            if (c.name().equals("body: invalid UTF-8")) {
                byte[] bad = "{\"extension\":\"799\",\"displayName\":\"E\u0000\"}".getBytes(StandardCharsets.UTF_8);
                bad[bad.length - 3] = (byte) 0xc3;
                all.set(i, new Case(c.name(), c.method(), c.path(), c.as(), c.authorization(), c.headers(), bad,
                        c.contentType(), c.status(), c.slug(), c.field()));
            }
        }
        return all;
    }
}
