package io.callsup.testsupport;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Ports for the programs a test run starts. Chosen free at start-up, so that two checkouts (or a
 * developer's demo) can run at once, and published as system properties because tests and test
 * resources live in different class loaders of one JVM.
 */
public final class TestPorts {

    private TestPorts() {
    }

    /** A port free for both UDP and TCP on loopback (SIP and HTTP sockets need one or the other). */
    public static int free() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = tcp.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            try (DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // UDP side busy: draw again
            }
        }
        throw new IllegalStateException("no free loopback port found");
    }

    public static void publish(String name, int port) {
        System.setProperty("callsup.test." + name, Integer.toString(port));
    }

    public static int get(String name) {
        String value = System.getProperty("callsup.test." + name);
        if (value == null) {
            throw new IllegalStateException("test port " + name + " is not published: is InfrastructureResource running?");
        }
        return Integer.parseInt(value);
    }
}
