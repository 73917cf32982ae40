package dev.weft.bench;

import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;

import java.net.InetAddress;

/**
 * One attach/detach round: the host end's name, the fresh container namespace (made untimed),
 * the container's address and its default gateway, which lies inside the container's subnet.
 */
record Slot(int id, String hostLink, Netns container, IpPrefix address, InetAddress gateway) {
    static final String CONTAINER_LINK = "eth0";

    /** Documentation range 192.0.2.0/24: hosts .2 to .251, gateway .1 (each container namespace is separate). */
    static Slot create(int id, Netns container) {
        IpPrefix address = IpPrefix.parse("192.0.2." + (2 + id % 250) + "/24");
        return new Slot(id, "wbh" + id, container, address, IpPrefix.parseAddress("192.0.2.1"));
    }
}
