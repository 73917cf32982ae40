package dev.weft.linux.rtnl;

import dev.weft.net.MacAddress;

import dev.weft.linux.netns.Netns;

import java.net.InetAddress;

/**
 * What to create: one record per link kind. A zero MTU or a null MAC leaves the kernel's default.
 */
public sealed interface LinkSpec {
    String name();

    String kind();

    /**
     * A veth pair. The peer is created directly inside {@code peerNamespace} when given (the fast
     * path: no move afterwards), else beside the first end. The first end can be enslaved to
     * {@code master} and set {@code up} in the same request; the peer cannot be created up (the
     * kernel refuses with ENOTCONN), so it is set up from its own namespace afterwards.
     */
    record Veth(String name, String peerName, Netns peerNamespace, int mtu, MacAddress mac, MacAddress peerMac,
                String master, boolean up) implements LinkSpec {
        public Veth(String name, String peerName) {
            this(name, peerName, null, 0, null, null, null, false);
        }

        public Veth(String name, String peerName, Netns peerNamespace) {
            this(name, peerName, peerNamespace, 0, null, null, null, false);
        }

        public Veth(String name, String peerName, Netns peerNamespace, int mtu, MacAddress mac, MacAddress peerMac) {
            this(name, peerName, peerNamespace, mtu, mac, peerMac, null, false);
        }

        @Override
        public String kind() {
            return "veth";
        }
    }

    record Bridge(String name, int mtu, MacAddress mac) implements LinkSpec {
        public Bridge(String name) {
            this(name, 0, null);
        }

        @Override
        public String kind() {
            return "bridge";
        }
    }

    /**
     * A VXLAN device. {@code local} is the VTEP source address, {@code port} the UDP destination
     * port (4789 when 0), {@code parent} the underlay device (may be null). Learning off and proxy
     * on is what an overlay with a control plane wants.
     */
    record Vxlan(String name, int vni, InetAddress local, int port, String parent, boolean learning, boolean proxy,
                 boolean udpChecksum, int mtu) implements LinkSpec {
        public Vxlan {
            if (vni < 1 || vni > 0xffffff) {
                throw new IllegalArgumentException("VXLAN id " + vni + " is out of range 1-16777215");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("UDP port " + port + " is out of range");
            }
        }

        @Override
        public String kind() {
            return "vxlan";
        }
    }

    /**
     * A macvlan on {@code parent} (a link of this namespace), created directly inside
     * {@code namespace} when given, else beside its parent.
     */
    record Macvlan(String name, String parent, MacvlanMode mode, int mtu, MacAddress mac, Netns namespace)
            implements LinkSpec {
        public Macvlan(String name, String parent, MacvlanMode mode, int mtu, MacAddress mac) {
            this(name, parent, mode, mtu, mac, null);
        }

        @Override
        public String kind() {
            return "macvlan";
        }
    }
}
