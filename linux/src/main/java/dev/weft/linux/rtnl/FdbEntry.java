package dev.weft.linux.rtnl;

import dev.weft.net.MacAddress;

import java.net.InetAddress;

/**
 * A bridge forwarding database entry: frames for {@code mac} leave through the link; for a
 * VXLAN link, {@code destination} is the remote VTEP (null otherwise). {@code master} marks an
 * entry of the bridge the link is enslaved to rather than of the link itself.
 */
public record FdbEntry(int linkIndex, MacAddress mac, InetAddress destination, boolean master, boolean permanent) {
}
