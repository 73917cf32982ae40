package dev.weft.linux.netns;

import dev.weft.linux.TestNamespaces;
import dev.weft.linux.rtnl.Rtnetlink;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** A socket opened inside a namespace stays there, whichever thread uses it afterwards. */
class NetnsSocketsTest {

    @Test
    void udpSocketsOpenedInsideTwoNamespacesDoNotSeeEachOther() throws Exception {
        try (TestNamespaces namespaces = new TestNamespaces()) {
            Netns a = namespaces.create("s");
            Netns b = namespaces.create("s");
            for (Netns ns : new Netns[] {a, b}) {
                try (Rtnetlink nl = Rtnetlink.open(ns)) {
                    nl.links().setUp("lo");
                }
            }
            // the same loopback port is free in each namespace: each bind happens inside its own
            try (DatagramChannel serverA = a.call(() -> DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 5353)));
                 DatagramChannel serverB = b.call(() -> DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 5353)));
                 DatagramChannel client = a.call(DatagramChannel::open)) {
                // used from this (host) thread, the client still sends inside namespace a
                client.send(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)), new InetSocketAddress("127.0.0.1", 5353));
                ByteBuffer got = ByteBuffer.allocate(16);
                serverA.receive(got);
                assertThat(new String(got.array(), 0, got.position(), StandardCharsets.UTF_8)).isEqualTo("ping");
                serverB.configureBlocking(false);
                assertThat(serverB.receive(ByteBuffer.allocate(16))).isNull();
            }
        }
    }
}
