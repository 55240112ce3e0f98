package io.callsup.testsupport.rtp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lossy network between the service and the real rtpengine: a UDP relay for ng datagrams that,
 * once {@link #dropping(boolean) switched}, loses every command except {@code ping} on its way to
 * the daemon (so no reply ever comes back, exactly as when the datagrams are lost). Pings pass, so
 * the daemon still counts as alive: what fails is the commands, not the host.
 * <p>
 * The service reaches it through a test profile's {@code callsup.media.rtpengine}; Kamailio keeps
 * talking to rtpengine directly. The daemon's address is read per datagram from the published test
 * port, so the relay can be created before the test resources start.
 * <p>
 * Profiles, test resources and tests may see this class from different class loaders: its state
 * is kept in (String) system properties and its start is guarded by an interned string, so every
 * copy of the class drives the same relay.
 */
public final class NgRelay {

    private static final String PORT = "callsup.test.ng-relay.port";
    private static final String DROP = "callsup.test.ng-relay.drop";
    private static final String DROPPED = "callsup.test.ng-relay.dropped";
    private static final Pattern COMMAND = Pattern.compile("7:command(\\d+):");

    private NgRelay() {
    }

    /** The relay's port, starting it on first use. */
    public static int port() {
        synchronized (PORT.intern()) { // one JVM-wide monitor, whatever the class loader
            if (System.getProperty(PORT) == null) {
                System.setProperty(PORT, Integer.toString(start()));
            }
            return Integer.parseInt(System.getProperty(PORT));
        }
    }

    public static void dropping(boolean on) {
        System.setProperty(DROP, Boolean.toString(on));
    }

    /** Commands lost so far. */
    public static int dropped() {
        return Integer.parseInt(System.getProperty(DROPPED, "0"));
    }

    private static int start() {
        try {
            DatagramSocket front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread t = new Thread(() -> frontLoop(front), "ng-relay");
            t.setDaemon(true);
            t.start();
            return front.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("ng relay", e);
        }
    }

    private static void frontLoop(DatagramSocket front) {
        Map<SocketAddress, DatagramSocket> upstreams = new ConcurrentHashMap<>();
        byte[] buf = new byte[65536];
        int dropped = 0;
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                front.receive(p);
                String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
                if (Boolean.getBoolean(DROP) && !"ping".equals(command(text))) {
                    dropped++;
                    System.setProperty(DROPPED, Integer.toString(dropped));
                    continue;
                }
                SocketAddress client = p.getSocketAddress();
                DatagramSocket up = upstreams.computeIfAbsent(client, c -> upstream(front, c));
                int ng = Integer.parseInt(System.getProperty("callsup.test.rtpengine-ng"));
                up.send(new DatagramPacket(p.getData(), p.getLength(),
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), ng)));
            } catch (IOException | RuntimeException e) {
                // a relay keeps relaying; a lost datagram is what it simulates anyway
            }
        }
    }

    /** One socket per client towards rtpengine, so replies find their way back. */
    private static DatagramSocket upstream(DatagramSocket front, SocketAddress client) {
        try {
            DatagramSocket up = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread t = new Thread(() -> {
                byte[] buf = new byte[65536];
                while (true) {
                    DatagramPacket r = new DatagramPacket(buf, buf.length);
                    try {
                        up.receive(r);
                        front.send(new DatagramPacket(r.getData(), r.getLength(), client));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "ng-relay-up");
            t.setDaemon(true);
            t.start();
            return up;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The ng command name in "cookie d...7:command5:query...e", or null. */
    static String command(String datagram) {
        Matcher m = COMMAND.matcher(datagram);
        if (!m.find()) {
            return null;
        }
        int len = Integer.parseInt(m.group(1));
        return datagram.substring(m.end(), Math.min(datagram.length(), m.end() + len));
    }
}
