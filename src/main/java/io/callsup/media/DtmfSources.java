package io.callsup.media;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which senders the DTMF-log port believes: by default the addresses of the configured rtpengine ng
 * sockets, resolved once at start-up; or an explicit list of addresses and CIDR blocks
 * ({@code callsup.media.dtmf-log.allowed-sources}) where rtpengine's datagrams leave from another
 * address than its ng socket (a Kubernetes Service name resolves to a ClusterIP, not a pod).
 */
public final class DtmfSources implements Predicate<InetAddress> {

    private record Block(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Block> blocks;
    private final String description;

    private DtmfSources(List<Block> blocks, String description) {
        this.blocks = List.copyOf(blocks);
        this.description = description;
    }

    /** {@code entries}: host names, addresses or address/prefix blocks; a name counts with every address it has. */
    public static DtmfSources of(List<String> entries) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : entries) {
            String e = entry.trim();
            int slash = e.indexOf('/');
            String host = slash < 0 ? e : e.substring(0, slash);
            try {
                for (InetAddress a : InetAddress.getAllByName(host)) {
                    int max = a.getAddress().length * 8;
                    int prefix = slash < 0 ? max : Integer.parseInt(e.substring(slash + 1));
                    if (prefix < 0 || prefix > max) {
                        throw new IllegalArgumentException("bad prefix in DTMF-log source '" + entry + "'");
                    }
                    blocks.add(new Block(a.getAddress(), prefix));
                }
            } catch (UnknownHostException | NumberFormatException ex) {
                throw new IllegalArgumentException("DTMF-log source '" + entry + "' is no address, block or known host", ex);
            }
        }
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException("no DTMF-log source is allowed: every datagram would be dropped");
        }
        return new DtmfSources(blocks, String.join(", ", entries));
    }

    /** The default: the hosts of the configured rtpengine ng addresses. */
    public static DtmfSources ofRtpengines(List<String> ngAddresses) {
        return of(ngAddresses.stream().map(a -> NgAddress.parse(a).host()).toList());
    }

    @Override
    public boolean test(InetAddress sender) {
        if (sender == null) {
            return false;
        }
        byte[] a = sender.getAddress();
        for (Block b : blocks) {
            if (b.contains(a)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return description;
    }
}
