package dev.weft.linux.rtnl;

import dev.weft.net.IpPrefix;

/** An address assigned to a link. {@code scope} is the kernel's (0 global, 253 link, 254 host). */
public record Address(int linkIndex, IpPrefix prefix, int scope, String label) {
}
