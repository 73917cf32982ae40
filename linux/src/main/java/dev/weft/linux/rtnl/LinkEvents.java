package dev.weft.linux.rtnl;

import dev.weft.linux.KernelException;
import dev.weft.linux.netlink.NetlinkSocket;
import dev.weft.linux.netlink.Nl;
import dev.weft.linux.netlink.NlMessage;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.sys.Errno;

import java.util.function.Consumer;

/**
 * A subscription to link events (RTNLGRP_LINK) of one namespace, delivered to a listener on a
 * platform thread of its own. When the kernel drops events (the listener fell behind), the
 * listener gets {@link LinkEvent.Overflow} and must list the links again.
 */
public final class LinkEvents implements AutoCloseable {
    private static final int POLL_MILLIS = 200;
    private final NetlinkSocket socket;
    private final Thread reader;
    private volatile boolean closed;

    /** What happened to a link. */
    public sealed interface LinkEvent {
        record Changed(Link link) implements LinkEvent {
        }

        record Removed(Link link) implements LinkEvent {
        }

        record Overflow() implements LinkEvent {
        }
    }

    private LinkEvents(NetlinkSocket socket, Consumer<LinkEvent> listener, String label) {
        this.socket = socket;
        this.reader = Thread.ofPlatform().name("link-events-" + label).daemon().unstarted(() -> read(listener));
    }

    /** Subscribes to link events in {@code ns}, or in the host namespace when {@code ns} is null. */
    public static LinkEvents subscribe(Netns ns, Consumer<LinkEvent> listener) {
        NetlinkSocket socket = ns == null ? NetlinkSocket.open(Nl.NETLINK_ROUTE, 0, null)
                : NetlinkSocket.open(Nl.NETLINK_ROUTE, ns);
        try {
            socket.joinGroup(Rt.RTNLGRP_LINK);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        LinkEvents events = new LinkEvents(socket, listener, ns == null ? "host" : ns.name());
        events.reader.start();
        return events;
    }

    private void read(Consumer<LinkEvent> listener) {
        while (!closed) {
            try {
                for (NlMessage m : socket.receiveEvents(POLL_MILLIS)) {
                    if (m.type() == Rt.RTM_NEWLINK) {
                        listener.accept(new LinkEvent.Changed(LinkParser.parse(m)));
                    } else if (m.type() == Rt.RTM_DELLINK) {
                        listener.accept(new LinkEvent.Removed(LinkParser.parse(m)));
                    }
                }
            } catch (KernelException e) {
                if (closed) {
                    return;
                }
                if (e.errno() != Errno.ENOBUFS) {
                    throw e;
                }
                listener.accept(new LinkEvent.Overflow());
            } catch (IllegalStateException e) {
                return; // closed underneath us
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            reader.join(POLL_MILLIS * 5L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
    }
}
