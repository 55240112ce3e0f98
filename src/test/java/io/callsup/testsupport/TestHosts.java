package io.callsup.testsupport;

/**
 * Where the test JVM's phones (SIPp and the Java RTP endpoints) bind: loopback, or the host's
 * address on the network-namespace lab's bridge ({@code callsup.test.phone-host}, set by
 * {@link io.callsup.testsupport.netns.NetnsLab}).
 */
public final class TestHosts {

    private TestHosts() {
    }

    public static String phone() {
        return System.getProperty("callsup.test.phone-host", KamailioResource.HOST);
    }
}
