package io.callsup.media;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Non-blocking rtpengine ng protocol client over UDP (bencode).
 * <p>
 * Each request gets a unique cookie; replies are matched by cookie. When no reply arrives within
 * the timeout the same datagram (same cookie) is re-sent, a bounded number of times: rtpengine
 * caches replies per cookie, so a retry never executes a command twice. {@code result: error}
 * fails the future with {@link RtpengineErrorException}; no reply at all with
 * {@link RtpengineTimeoutException}.
 */
@Singleton
public class NgClient implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NgClient.class);
    private static final int MAX_DATAGRAM = 65507;
    // Vert.x sizes its per-read buffer from this too: it must hold the largest possible datagram
    // (a 'query' of a busy call reaches tens of KiB), or a reply arrives truncated.
    private static final int RECEIVE_BUFFER = 256 * 1024;

    private final Vertx vertx;
    private final List<NgAddress> daemons;
    private final Duration timeout;
    private final int retries;
    private final String localHost;
    private final String cookiePrefix;
    private final AtomicLong counter = new AtomicLong();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private volatile Future<DatagramSocket> socket;

    @Inject
    public NgClient(Vertx vertx, MediaConfig config) {
        this(vertx, config.rtpengine().stream().map(NgAddress::parse).toList(), config.requestTimeout(),
                config.requestRetries(), config.ngLocalHost().orElse(null));
    }

    /** Binds the address that routes to the first daemon (see {@link MediaConfig#ngLocalHost()}). */
    public NgClient(Vertx vertx, List<NgAddress> daemons, Duration timeout, int retries) {
        this(vertx, daemons, timeout, retries, null);
    }

    /** {@code localHost}: the address the client socket binds; null picks the one routing to the first daemon. */
    public NgClient(Vertx vertx, List<NgAddress> daemons, Duration timeout, int retries, String localHost) {
        if (daemons.isEmpty()) {
            throw new IllegalArgumentException("at least one rtpengine address is required");
        }
        if (retries < 0 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be > 0 and retries >= 0");
        }
        this.vertx = Objects.requireNonNull(vertx);
        this.daemons = List.copyOf(daemons);
        this.timeout = timeout;
        this.retries = retries;
        this.localHost = localHost == null || localHost.isBlank() ? null : localHost.trim();
        // Random per instance so that a restarted service never reuses a cookie the daemon cached.
        this.cookiePrefix = Long.toHexString(new SecureRandom().nextLong() & 0xffffffffffL);
    }

    /** Configured daemons, in configuration order. */
    public List<NgAddress> daemons() {
        return daemons;
    }

    /** Sends to the first configured daemon. */
    public Future<Map<String, Object>> request(Map<String, Object> command) {
        return request(daemons.get(0), command);
    }

    public Future<Map<String, Object>> request(NgAddress daemon, Map<String, Object> command) {
        return request(daemon, command, timeout, retries);
    }

    /** As {@link #request(NgAddress, Map)} with a per-request attempt timeout and retry count (e.g. a quick ping). */
    public Future<Map<String, Object>> request(NgAddress daemon, Map<String, Object> command, Duration timeout,
            int retries) {
        Object cmd = command.get("command");
        if (!(cmd instanceof String name)) {
            return Future.failedFuture(new IllegalArgumentException("request has no 'command'"));
        }
        String cookie = cookiePrefix + "_" + counter.incrementAndGet();
        byte[] body = Bencode.encode(command);
        byte[] head = (cookie + " ").getBytes(StandardCharsets.US_ASCII);
        if (head.length + body.length > MAX_DATAGRAM) {
            return Future.failedFuture(new IllegalArgumentException("ng request too large: " + body.length));
        }
        Buffer datagram = Buffer.buffer(head.length + body.length).appendBytes(head).appendBytes(body);
        Pending p = new Pending(cookie, name, daemon, datagram, Promise.promise(), timeout, retries);
        pending.put(cookie, p);
        socket().onComplete(ar -> {
            if (ar.failed()) {
                if (pending.remove(cookie) != null) {
                    p.promise.tryFail(new MediaException("cannot open ng socket", ar.cause()));
                }
                return;
            }
            attempt(ar.result(), p);
        });
        return p.promise.future();
    }

    private void attempt(DatagramSocket s, Pending p) {
        if (!pending.containsKey(p.cookie)) {
            return;
        }
        p.attempts++;
        s.send(p.datagram, p.daemon.port(), p.daemon.host()).onFailure(err ->
                LOG.debugf("ng send of '%s' to %s failed: %s", p.command, p.daemon, err.getMessage()));
        vertx.setTimer(Math.max(1, p.timeout.toMillis()), id -> {
            if (!pending.containsKey(p.cookie)) {
                return;
            }
            if (p.attempts <= p.retries) {
                LOG.debugf("ng '%s' to %s: no reply, retry %d", p.command, p.daemon, p.attempts);
                attempt(s, p);
            } else if (pending.remove(p.cookie) != null) {
                p.promise.tryFail(new RtpengineTimeoutException(p.daemon.toString(), p.command, p.attempts, p.timeout));
            }
        });
    }

    private Future<DatagramSocket> socket() {
        Future<DatagramSocket> s = socket;
        if (s == null) {
            synchronized (this) {
                s = socket;
                if (s == null) {
                    DatagramSocket ds = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(RECEIVE_BUFFER));
                    ds.handler(this::onPacket);
                    s = ds.listen(0, localHost != null ? localHost : routedSource(daemons.get(0)));
                    socket = s;
                }
            }
        }
        return s;
    }

    /**
     * The source address the kernel picks for datagrams to {@code daemon}: a connect on an unbound
     * UDP socket sends nothing, it only asks the routing table. Loopback if that fails (e.g. the
     * name does not resolve yet), which is right for the single-machine default.
     */
    static String routedSource(NgAddress daemon) {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(null)) {
            probe.connect(new java.net.InetSocketAddress(daemon.host(), daemon.port()));
            java.net.InetAddress local = probe.getLocalAddress();
            if (local != null && !local.isAnyLocalAddress()) {
                return local.getHostAddress();
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warnf("no route to rtpengine %s (%s): the ng client binds loopback", daemon, e.getMessage());
        }
        return java.net.InetAddress.getLoopbackAddress().getHostAddress();
    }

    private void onPacket(DatagramPacket packet) {
        Buffer data = packet.data();
        byte[] bytes = data.getBytes();
        int sp = indexOf(bytes, (byte) ' ');
        if (sp <= 0) {
            LOG.warnf("ng reply without cookie from %s dropped", packet.sender());
            return;
        }
        String cookie = new String(bytes, 0, sp, StandardCharsets.US_ASCII);
        Pending p = pending.remove(cookie);
        if (p == null) {
            LOG.debugf("ng reply for unknown or expired cookie %s dropped", cookie);
            return;
        }
        Map<String, Object> reply;
        try {
            reply = Bencode.decodeDict(bytes, sp + 1, bytes.length - sp - 1);
        } catch (BencodeException e) {
            p.promise.tryFail(new MediaException("malformed ng reply to '" + p.command + "' from " + p.daemon + ": "
                    + e.getMessage()));
            return;
        }
        Object result = reply.get("result");
        if ("error".equals(result)) {
            Object reason = reply.get("error-reason");
            p.promise.tryFail(new RtpengineErrorException(p.daemon.toString(), p.command,
                    reason instanceof String r ? r : "(no error-reason)"));
            return;
        }
        if (reply.get("warning") instanceof String w) {
            LOG.warnf("rtpengine %s warning on '%s': %s", p.daemon, p.command, w);
        }
        if (!"ok".equals(result) && !"pong".equals(result)) {
            p.promise.tryFail(new MediaException("unexpected ng result '" + result + "' to '" + p.command + "' from "
                    + p.daemon));
            return;
        }
        p.promise.tryComplete(reply);
    }

    private static int indexOf(byte[] b, byte c) {
        for (int i = 0; i < b.length && i < 256; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** Number of requests awaiting a reply (for tests and metrics). */
    public int inFlight() {
        return pending.size();
    }

    @PreDestroy
    @Override
    public void close() {
        Future<DatagramSocket> s = socket;
        socket = null;
        List<Pending> left = new ArrayList<>(pending.values());
        pending.clear();
        left.forEach(p -> p.promise.tryFail(new MediaException("ng client closed")));
        if (s != null) {
            s.onSuccess(DatagramSocket::close);
        }
    }

    private static final class Pending {
        final String cookie;
        final String command;
        final NgAddress daemon;
        final Buffer datagram;
        final Promise<Map<String, Object>> promise;
        final Duration timeout;
        final int retries;
        int attempts;

        Pending(String cookie, String command, NgAddress daemon, Buffer datagram, Promise<Map<String, Object>> promise,
                Duration timeout, int retries) {
            this.timeout = timeout;
            this.retries = retries;
            this.cookie = cookie;
            this.command = command;
            this.daemon = daemon;
            this.datagram = datagram;
            this.promise = promise;
        }
    }
}
