package dev.weft.linux.rtnl;

import dev.weft.net.MacAddress;

import java.net.InetAddress;

/**
 * A link as the kernel reports it. {@code kind} is null for devices without a kind (physical,
 * loopback). {@code masterIndex} and {@code parentIndex} are 0 when absent. {@code vxlan},
 * {@code macvlanMode} and {@code port} are set only for that kind of link or a bridge port.
 */
public record Link(int index, String name, String kind, int mtu, MacAddress mac, boolean up, boolean lowerUp,
                   int masterIndex, int parentIndex, int parentNamespaceId, VxlanInfo vxlan,
                   MacvlanMode macvlanMode, BridgePort port) {

    /** VXLAN settings read back. */
    public record VxlanInfo(int vni, InetAddress local, int port, int parentIndex, boolean learning, boolean proxy) {
    }
}
