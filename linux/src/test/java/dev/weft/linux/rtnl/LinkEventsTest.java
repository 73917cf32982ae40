package dev.weft.linux.rtnl;

import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import org.junit.jupiter.api.Test;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class LinkEventsTest {

    @Test
    void deliversCreationAndRemovalOfLinksInTheNamespace() throws Exception {
        try (TestNamespaces namespaces = new TestNamespaces()) {
            Netns ns = namespaces.create("e");
            BlockingQueue<LinkEvents.LinkEvent> events = new LinkedBlockingQueue<>();
            try (LinkEvents ignored = LinkEvents.subscribe(ns, events::add); Rtnetlink nl = Rtnetlink.open(ns)) {
                nl.links().create(new LinkSpec.Bridge("wbev"));
                assertThat(next(events, LinkEvents.LinkEvent.Changed.class, "wbev")).isTrue();
                nl.links().delete("wbev");
                assertThat(next(events, LinkEvents.LinkEvent.Removed.class, "wbev")).isTrue();
            }
        }
    }

    private static boolean next(BlockingQueue<LinkEvents.LinkEvent> events, Class<?> type, String name)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            LinkEvents.LinkEvent e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && type.isInstance(e)) {
                Link link = e instanceof LinkEvents.LinkEvent.Changed c ? c.link() : ((LinkEvents.LinkEvent.Removed) e).link();
                if (name.equals(link.name())) {
                    return true;
                }
            }
        }
        return false;
    }
}
