package dev.weft.daemon.dns;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A DNS listener on a host address (loopback here): the answerer sees who asks; a taken port is refused in one line. */
class DnsListenerTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void answersOverUdpKnowingTheClientAndRefusesATakenPort() throws Exception {
        AtomicReference<InetAddress> asked = new AtomicReference<>();
        try (DatagramChannel taken = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
            InetSocketAddress busy = (InetSocketAddress) taken.getLocalAddress();
            assertThatThrownBy(() -> DnsListener.onHost(busy, (client, query, tcp) -> query))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("cannot serve DNS on udp 127.0.0.1:" + busy.getPort() + ": ");
        }
        InetSocketAddress at;
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
            at = (InetSocketAddress) probe.getLocalAddress(); // a free port, as far as anyone can tell
        }
        try (DnsListener listener = DnsListener.onHost(at, (client, query, tcp) -> {
            asked.set(client);
            return query; // echo: enough to see the round trip
        }); DatagramChannel client = DatagramChannel.open()) {
            byte[] query = Message.newQuery(Record.newRecord(Name.fromString("wl.test."), Type.A, DClass.IN)).toWire();
            client.send(ByteBuffer.wrap(query), at);
            ByteBuffer reply = ByteBuffer.allocate(512);
            client.receive(reply);
            assertThat(reply.flip().remaining()).isEqualTo(query.length);
            assertThat(asked.get()).isEqualTo(LOOPBACK);
        }
    }
}
