package dev.weft.linux.netlink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The native buffers netlink requests are sent from and their replies received into, shared by
 * every {@link NetlinkSocket}: one is taken for a request and given back after its reply, so
 * their memory follows the requests in flight rather than the number of open sockets (weftd
 * keeps a socket per sandbox; 256 KiB each came to 270 MB of resident memory at 1000 sandboxes).
 * A few are kept for reuse; the rest are freed by the garbage collector.
 */
final class NetlinkBuffers {
    /** Large enough for any netlink datagram: the kernel caps a dump's datagrams at 32 KiB. */
    static final int SIZE = 256 * 1024;
    private static final int KEPT = 4;
    private static final ConcurrentLinkedQueue<MemorySegment> FREE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger FREE_COUNT = new AtomicInteger();

    private NetlinkBuffers() {
    }

    static MemorySegment take() {
        MemorySegment s = FREE.poll();
        if (s == null) {
            return Arena.ofAuto().allocate(SIZE, 8);
        }
        FREE_COUNT.decrementAndGet();
        return s;
    }

    static void give(MemorySegment s) {
        if (FREE_COUNT.incrementAndGet() <= KEPT) {
            FREE.offer(s);
        } else {
            FREE_COUNT.decrementAndGet(); // dropped: its arena frees it once unreachable
        }
    }
}
