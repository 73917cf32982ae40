package dev.weft.linux;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many requests this process has sent the kernel through the linux module since it started:
 * netlink messages (rtnetlink and the other netlink families, one per request or dump) and
 * libnftables commands (one per batch or listing, however many netlink messages libnftables makes
 * of it). Cheap enough to count always; weftd exports them as metrics, so a benchmark can say
 * how much kernel work each operation costs on every host.
 */
public final class KernelRequests {
    private static final LongAdder NETLINK = new LongAdder();
    private static final LongAdder NFTABLES = new LongAdder();

    private KernelRequests() {
    }

    /** Netlink requests sent (dumps count once). */
    public static long netlink() {
        return NETLINK.sum();
    }

    /** libnftables commands run. */
    public static long nftables() {
        return NFTABLES.sum();
    }

    /** Called by the netlink socket for every request it sends. */
    public static void countNetlink() {
        NETLINK.increment();
    }

    /** Called by the nftables context for every command it runs. */
    public static void countNftables() {
        NFTABLES.increment();
    }
}
