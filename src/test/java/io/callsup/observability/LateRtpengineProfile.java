package io.callsup.observability;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The service pointed at an rtpengine that is not running yet: an ng port of the private range
 * 22320-22399 on which nothing listens when the service starts. {@link LateRtpengineTest} starts
 * the daemon there later.
 */
public class LateRtpengineProfile implements QuarkusTestProfile {

    /**
     * Chosen once per JVM. The profile is loaded in more than one class loader, each with its own
     * statics: the first choice goes into a system property (one per JVM) so that the service and the
     * test agree even when a port's occupancy changed in between (another daemon on the machine).
     */
    static final int NG_PORT = Integer.parseInt(System.getProperties()
            .computeIfAbsent("callsup.test.late-rtpengine-port", k -> Integer.toString(freeNgPort())).toString());

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("callsup.media.rtpengine", "127.0.0.1:" + NG_PORT);
    }

    private static int freeNgPort() {
        for (int port = 22340; port < 22400; port++) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                return port;
            } catch (IOException taken) {
                // next
            }
        }
        throw new IllegalStateException("no free UDP port in 22340-22399 for a private rtpengine");
    }
}
