package dev.weft.linux.netlink;

import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.sys.Errno;

import java.util.List;

/**
 * A netlink socket joined to one multicast group of one namespace, read on a platform thread of
 * its own that hands every batch of messages to a {@link Reader}. A failed receive (the kernel
 * dropped notifications with ENOBUFS because the reader fell behind, or anything else) is handed
 * over too, as a loss: the reader must assume it missed something. A receive that keeps failing
 * is retried at most every {@value #POLL_MILLIS} ms.
 */
public final class NetlinkSubscription implements AutoCloseable {
    private static final int POLL_MILLIS = 200;
    private final NetlinkSocket socket;
    private final Thread thread;
    private volatile boolean closed;

    /** What a subscription's thread calls. */
    public interface Reader {
        void messages(List<NlMessage> batch);

        /** Notifications were lost; {@code cause} says why (ENOBUFS: the kernel dropped them). */
        void lost(KernelException cause);
    }

    private NetlinkSubscription(NetlinkSocket socket, String name, Reader reader) {
        this.socket = socket;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(() -> read(reader));
    }

    /**
     * Joins {@code group} of netlink {@code protocol} in {@code ns} (null: this process's own
     * namespace) and starts reading on a thread named {@code label-NAMESPACE}.
     */
    public static NetlinkSubscription open(int protocol, int group, Netns ns, String label, Reader reader) {
        NetlinkSocket socket = ns == null ? NetlinkSocket.open(protocol, 0, null) : NetlinkSocket.open(protocol, ns);
        try {
            socket.joinGroup(group);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        NetlinkSubscription s = new NetlinkSubscription(socket, label + "-" + (ns == null ? "host" : ns.name()), reader);
        s.thread.start();
        return s;
    }

    private void read(Reader reader) {
        while (!closed) {
            try {
                reader.messages(socket.receiveEvents(POLL_MILLIS));
            } catch (KernelException e) {
                if (closed) {
                    return;
                }
                reader.lost(e);
                if (e.errno() != Errno.ENOBUFS) {
                    pause(); // a receive that keeps failing must not spin
                }
            } catch (IllegalStateException e) {
                return; // closed underneath us
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(POLL_MILLIS * 5L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
    }
}
