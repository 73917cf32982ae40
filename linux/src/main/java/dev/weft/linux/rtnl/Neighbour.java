package dev.weft.linux.rtnl;

import dev.weft.net.MacAddress;

import java.net.InetAddress;

/** A neighbour (ARP or NDP) entry: {@code ip} is reached at {@code mac} on the link. */
public record Neighbour(int linkIndex, InetAddress ip, MacAddress mac, boolean permanent) {
}
