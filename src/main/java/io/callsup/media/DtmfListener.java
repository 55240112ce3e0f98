package io.callsup.media;

import java.net.InetAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.json.JsonObject;

/**
 * Receives rtpengine's DTMF log ({@code --dtmf-log-dest}): one JSON datagram per finished digit,
 * e.g. {@code {"callid":"..","source_tag":"..","type":"DTMF","event":1,"duration":200,...}}.
 * Each valid one from an allowed sender becomes a {@link DtmfEvent}. Anything else is dropped and
 * reported to the drop counter; the log says so at most once a minute per reason, so a flood of
 * forged datagrams cannot flood the log too.
 */
public class DtmfListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DtmfListener.class);
    private static final String DIGITS = "0123456789*#";

    private final Vertx vertx;
    private final String host;
    private final int port;
    private final Consumer<DtmfEvent> consumer;
    private final Predicate<InetAddress> allowedSender;
    private String multicastInterface;
    private final BiConsumer<String, String> dropped;
    private final Map<String, AtomicLong> unloggedDrops = new ConcurrentHashMap<>();
    private final Map<String, Long> lastDropLog = new ConcurrentHashMap<>();
    private DatagramSocket socket;

    static final long DROP_LOG_INTERVAL_NANOS = 60_000_000_000L;

    /**
     * {@code allowedSender}: the addresses rtpengine sends from (see {@link DtmfSources});
     * {@code dropped}: told the reason ({@code source}, {@code malformed}) and sender of every dropped datagram.
     */
    public DtmfListener(Vertx vertx, String host, int port, Predicate<InetAddress> allowedSender,
                        BiConsumer<String, String> dropped, Consumer<DtmfEvent> consumer) {
        this.vertx = Objects.requireNonNull(vertx);
        this.host = host;
        this.port = port;
        this.allowedSender = Objects.requireNonNull(allowedSender);
        this.dropped = Objects.requireNonNull(dropped);
        this.consumer = Objects.requireNonNull(consumer);
    }

    /** {@code host} is a multicast group: join it on this interface (name, e.g. eth0) after binding. */
    public DtmfListener multicastOn(String interfaceName) {
        this.multicastInterface = Objects.requireNonNull(interfaceName);
        return this;
    }

    public synchronized Future<Void> start() {
        if (socket != null) {
            return Future.succeededFuture();
        }
        boolean group = multicastInterface != null;
        // Bound to the group address itself (not the wildcard): only the group's datagrams arrive.
        // SO_REUSEADDR lets replicas on one host all receive the group's datagrams.
        DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(65536)
                .setReuseAddress(group));
        s.handler(this::onPacket);
        socket = s;
        Future<Void> bound = s.listen(port, host).mapEmpty();
        if (group) {
            bound = bound.compose(x -> s.listenMulticastGroup(host, multicastInterface, null));
        }
        return bound.<Void>mapEmpty()
                .onSuccess(x -> LOG.infof("listening for rtpengine DTMF log on %s:%d%s", host, port,
                        group ? " (group joined on " + multicastInterface + ")" : ""))
                .onFailure(err -> {
                    synchronized (this) {
                        socket = null;
                    }
                });
    }

    private void onPacket(DatagramPacket packet) {
        String sender = packet.sender().host();
        if (!allowedSender.test(literal(sender))) {
            drop("source", sender);
            return;
        }
        try {
            DtmfEvent e = parse(packet.data().toString());
            if (e == null) {
                drop("malformed", sender);
                return;
            }
            consumer.accept(e);
        } catch (RuntimeException ex) {
            LOG.warnf("DTMF log datagram from %s dropped: %s", packet.sender(), ex.toString());
        }
    }

    /** The sender as Vert.x reports it is an address literal: parsed without any DNS lookup. */
    private static InetAddress literal(String address) {
        if (address == null || !address.matches("[0-9a-fA-F.:%]+")) {
            return null;
        }
        try {
            return InetAddress.getByName(address);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private void drop(String reason, String sender) {
        dropped.accept(reason, sender);
        long now = System.nanoTime();
        AtomicLong count = unloggedDrops.computeIfAbsent(reason, r -> new AtomicLong());
        count.incrementAndGet();
        Long last = lastDropLog.get(reason);
        if (last == null || now - last >= DROP_LOG_INTERVAL_NANOS) {
            lastDropLog.put(reason, now);
            LOG.warnf("DTMF log: dropped %d datagram(s) (%s), the latest from %s; next report in a minute at the earliest",
                    count.getAndSet(0), reason, sender);
        }
    }

    /** Parses one datagram; null (with a log line) when it is not a valid DTMF event. */
    static DtmfEvent parse(String text) {
        JsonObject j;
        try {
            j = new JsonObject(text);
        } catch (RuntimeException e) {
            LOG.warnf("DTMF log datagram is not JSON, dropped: %.200s", text);
            return null;
        }
        Map<String, Object> m = j.getMap();
        Object type = m.get("type");
        if (type != null && !"DTMF".equals(type)) {
            LOG.debugf("DTMF log datagram of type %s ignored", type);
            return null;
        }
        if (!(m.get("callid") instanceof String callId) || callId.isEmpty()
                || !(m.get("source_tag") instanceof String tag) || tag.isEmpty()
                || !(m.get("event") instanceof Number event) || !(m.get("duration") instanceof Number duration)) {
            LOG.warnf("DTMF log datagram lacks callid/source_tag/event/duration, dropped: %.200s", text);
            return null;
        }
        double ev = event.doubleValue();
        if (ev != Math.rint(ev) || ev < 0 || ev >= DIGITS.length()) {
            LOG.warnf("DTMF log datagram has event %s (not a digit 0-9 * #), dropped", event);
            return null;
        }
        long dur = duration.longValue();
        if (dur < 0 || dur > 60_000) {
            LOG.warnf("DTMF log datagram has implausible duration %d, dropped", dur);
            return null;
        }
        return new DtmfEvent(callId, tag, DIGITS.charAt((int) ev), (int) dur);
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
