package io.callsup.media;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** UDP address of one rtpengine ng control socket. */
@RegisterForReflection
public record NgAddress(String host, int port) {

    public NgAddress {
        if (host == null || host.isBlank() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("bad rtpengine address " + host + ":" + port);
        }
    }

    /** Parses {@code host:port} or {@code [v6]:port}; the {@code udp:} prefix Kamailio uses is accepted. */
    public static NgAddress parse(String s) {
        String t = s.trim();
        if (t.startsWith("udp:")) {
            t = t.substring(4);
        }
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("rtpengine address must be host:port, got '" + s + "'");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new NgAddress(host, Integer.parseInt(t.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rtpengine address must be host:port, got '" + s + "'");
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
