package dev.weft.engine.ipam;

import dev.weft.net.IpPrefix;

import java.net.InetAddress;

/**
 * An IPAM driver, with libnetwork's verbs: pools are reserved in an address space, addresses are
 * handed out from a pool. The default driver is {@link DefaultIpam}; remote IPAM plugins
 * implement the same interface.
 */
public interface Ipam {
    String LOCAL_SPACE = "LocalDefault";
    String GLOBAL_SPACE = "GlobalDefault";

    /**
     * Reserves a pool in {@code addressSpace}: {@code subnet} if given (it must not overlap a pool
     * of the space), else the first free predefined subnet of the family that overlaps neither
     * another pool nor a route of the host. {@code range} narrows automatic allocation.
     */
    Pool requestPool(String addressSpace, IpPrefix subnet, IpPrefix range, boolean ipv6);

    /** Releases the pool; it must hold no address but the ones its network reserved. */
    void releasePool(String poolId);

    /**
     * Hands out {@code preferred} (anywhere in the subnet) or, when null, a free address of the
     * range, recorded as held by {@code owner} (an endpoint id, "gateway", "aux:NAME"). Returns it
     * with the subnet's prefix length.
     */
    IpPrefix requestAddress(String poolId, InetAddress preferred, String owner);

    void releaseAddress(String poolId, InetAddress address);

    /** A reserved pool. {@code id} names it in later calls. */
    record Pool(String id, String addressSpace, IpPrefix subnet, IpPrefix range) {
    }
}
