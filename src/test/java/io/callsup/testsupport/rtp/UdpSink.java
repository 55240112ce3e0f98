package io.callsup.testsupport.rtp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

/**
 * Listens on a fixed address (e.g. the address a placeholder SDP names, where nothing may ever
 * arrive) and records every datagram with its source, so a test can assert that none came.
 */
public final class UdpSink implements AutoCloseable {

    /** One datagram: when, from where, how long. */
    public record Datagram(long nanos, InetSocketAddress from, int length) {
    }

    private final DatagramSocket socket;
    private final List<Datagram> received = new ArrayList<>();

    public UdpSink(String host, int port) throws SocketException {
        socket = new DatagramSocket(null);
        socket.setReuseAddress(false); // a second listener would split the datagrams: fail instead
        socket.bind(new InetSocketAddress(host, port));
        Thread t = new Thread(this::loop, "udp-sink-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void loop() {
        byte[] buf = new byte[2048];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            synchronized (received) {
                received.add(new Datagram(System.nanoTime(), (InetSocketAddress) p.getSocketAddress(), p.getLength()));
            }
        }
    }

    public List<Datagram> received() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }

    public int count() {
        synchronized (received) {
            return received.size();
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
