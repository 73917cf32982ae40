package dev.weft.linux.rtnl;

import dev.weft.linux.KernelException;
import dev.weft.linux.netlink.NetlinkSubscription;
import dev.weft.linux.netlink.Nl;
import dev.weft.linux.netlink.NlMessage;
import dev.weft.linux.netns.Netns;

import java.util.List;
import java.util.function.Consumer;

/**
 * A subscription to link events (RTNLGRP_LINK) of one namespace, delivered to a listener on a
 * platform thread of its own. When events are lost (the kernel dropped them because the listener
 * fell behind, or receiving failed), the listener gets {@link LinkEvent.Overflow} and must list the
 * links again.
 */
public final class LinkEvents implements AutoCloseable {
    private final NetlinkSubscription subscription;

    /** What happened to a link. */
    public sealed interface LinkEvent {
        record Changed(Link link) implements LinkEvent {
        }

        record Removed(Link link) implements LinkEvent {
        }

        record Overflow() implements LinkEvent {
        }
    }

    private LinkEvents(NetlinkSubscription subscription) {
        this.subscription = subscription;
    }

    /** Subscribes to link events in {@code ns}, or in the host namespace when {@code ns} is null. */
    public static LinkEvents subscribe(Netns ns, Consumer<LinkEvent> listener) {
        return new LinkEvents(NetlinkSubscription.open(Nl.NETLINK_ROUTE, Rt.RTNLGRP_LINK, ns, "link-events",
                new NetlinkSubscription.Reader() {
                    @Override
                    public void messages(List<NlMessage> batch) {
                        for (NlMessage m : batch) {
                            if (m.type() == Rt.RTM_NEWLINK) {
                                listener.accept(new LinkEvent.Changed(LinkParser.parse(m)));
                            } else if (m.type() == Rt.RTM_DELLINK) {
                                listener.accept(new LinkEvent.Removed(LinkParser.parse(m)));
                            }
                        }
                    }

                    @Override
                    public void lost(KernelException cause) {
                        listener.accept(new LinkEvent.Overflow());
                    }
                }));
    }

    @Override
    public void close() {
        subscription.close();
    }
}
