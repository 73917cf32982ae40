package dev.weft.daemon.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A DNS listener on a host address (loopback here): the answerer sees who asks; a taken port is refused in one line. */
class DnsListenerTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void answersOverUdpKnowingTheClientAndRefusesATakenPort() throws Exception {
        AtomicReference<InetAddress> asked = new AtomicReference<>();
        try (DnsSelector selector = new DnsSelector()) {
            try (DatagramChannel taken = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
                InetSocketAddress busy = (InetSocketAddress) taken.getLocalAddress();
                assertThatThrownBy(() -> DnsListener.onHost(selector, busy, (client, query, tcp) -> query))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith("cannot serve DNS on udp 127.0.0.1:" + busy.getPort() + ": ");
            }
            InetSocketAddress at = freePort();
            try (DnsListener listener = DnsListener.onHost(selector, at, (client, query, tcp) -> {
                asked.set(client);
                return query; // echo: enough to see the round trip
            }); DatagramChannel client = DatagramChannel.open()) {
                byte[] query = query("wl.test.");
                client.send(ByteBuffer.wrap(query), at);
                ByteBuffer reply = ByteBuffer.allocate(512);
                client.receive(reply);
                assertThat(reply.flip().remaining()).isEqualTo(query.length);
                assertThat(asked.get()).isEqualTo(LOOPBACK);
            }
        }
    }

    /** Many listeners share one selector thread; TCP is served too; a closed listener's port is free again at once. */
    @Test
    void oneSelectorServesManyListenersOverUdpAndTcpAndLetsClosedPortsGo() throws Exception {
        try (DnsSelector selector = new DnsSelector()) {
            List<InetSocketAddress> addresses = new ArrayList<>();
            List<DnsListener> listeners = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    InetSocketAddress at = freePort();
                    String name = "wl" + i + ".test.";
                    listeners.add(DnsListener.onHost(selector, at, (client, query, tcp) -> query(name)));
                    addresses.add(at);
                }
                for (int i = 0; i < addresses.size(); i++) {
                    try (DatagramChannel client = DatagramChannel.open()) {
                        client.send(ByteBuffer.wrap(query("q.test.")), addresses.get(i));
                        ByteBuffer reply = ByteBuffer.allocate(512);
                        client.receive(reply);
                        assertThat(new Message(reply.flip()).getQuestion().getName().toString()).isEqualTo("wl" + i + ".test.");
                    }
                    try (SocketChannel tcp = SocketChannel.open(addresses.get(i))) {
                        byte[] q = query("q.test.");
                        tcp.write(ByteBuffer.allocate(2 + q.length).putShort((short) q.length).put(q).flip());
                        ByteBuffer length = ByteBuffer.allocate(2);
                        while (length.hasRemaining() && tcp.read(length) >= 0) { }
                        ByteBuffer answer = ByteBuffer.allocate(Short.toUnsignedInt(length.flip().getShort()));
                        while (answer.hasRemaining() && tcp.read(answer) >= 0) { }
                        assertThat(new Message(answer.flip()).getQuestion().getName().toString()).isEqualTo("wl" + i + ".test.");
                    }
                }
            } finally {
                listeners.forEach(DnsListener::close);
            }
            for (InetSocketAddress at : addresses) { // bound again right away: the selector let the sockets go
                try (DatagramChannel udp = DatagramChannel.open().bind(at); ServerSocketChannel tcp = ServerSocketChannel.open()) {
                    tcp.bind(at);
                    assertThat(udp.isOpen()).isTrue();
                }
            }
        }
    }

    private static InetSocketAddress freePort() throws Exception {
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
            return (InetSocketAddress) probe.getLocalAddress(); // a free port, as far as anyone can tell
        }
    }

    private static byte[] query(String name) {
        try {
            return Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)).toWire();
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
