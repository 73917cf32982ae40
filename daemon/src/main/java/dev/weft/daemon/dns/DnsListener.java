package dev.weft.daemon.dns;

import dev.weft.daemon.kernel.HostKernel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.weft.net.IpPrefix;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A DNS server's UDP and TCP sockets, served from weftd by virtual threads: 127.0.0.11:53 inside
 * one sandbox (sockets opened inside its namespace, where they stay; the socket a query arrives on
 * tells which sandbox asks, so each container sees only the names of its own networks, whatever
 * the driver), or an address of the host's own namespace, where the client's address tells who
 * asks (the DNS server Docker's containers reach through {@code dockerd --dns}).
 */
final class DnsListener implements AutoCloseable {
    static final InetAddress ADDRESS = InetAddress.ofLiteral("127.0.0.11");
    private static final int QUERY_BUFFER = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(DnsListener.class);
    private final String label;
    private final Answerer dns;
    private final DatagramChannel udp;
    private final ServerSocketChannel tcp;

    /** What answers one query from {@code client}; null when the query is not DNS at all. */
    @FunctionalInterface
    interface Answerer {
        byte[] answer(InetAddress client, byte[] query, boolean tcp);
    }

    private DnsListener(String label, Answerer dns, DatagramChannel udp, ServerSocketChannel tcp) {
        this.label = label;
        this.dns = dns;
        this.udp = udp;
        this.tcp = tcp;
    }

    /** 127.0.0.11:{@code port} in the namespace at {@code sandbox}, answered by {@code dns} for {@code sandboxId}. */
    static DnsListener inSandbox(Path sandbox, String sandboxId, DnsResolver dns, int port) {
        InetSocketAddress address = new InetSocketAddress(ADDRESS, port);
        DatagramChannel udp = HostKernel.inNamespace(sandbox, () -> DatagramChannel.open().bind(address));
        ServerSocketChannel tcp;
        try {
            tcp = HostKernel.inNamespace(sandbox, () -> ServerSocketChannel.open().bind(address));
        } catch (RuntimeException e) {
            close(udp);
            throw e;
        }
        return serve("sandbox " + sandboxId, (client, query, overTcp) -> dns.answer(sandboxId, query, overTcp), udp, tcp);
    }

    /** {@code address} in weftd's own namespace, answered by {@code dns}. */
    static DnsListener onHost(InetSocketAddress address, Answerer dns) {
        String where = (address.getAddress() instanceof Inet6Address ? "[" + IpPrefix.format(address.getAddress()) + "]"
                : IpPrefix.format(address.getAddress())) + ":" + address.getPort();
        DatagramChannel udp;
        ServerSocketChannel tcp;
        try {
            udp = DatagramChannel.open().bind(address);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve DNS on udp " + where + ": " + e.getMessage(), e);
        }
        try {
            tcp = ServerSocketChannel.open().bind(address);
        } catch (IOException e) {
            close(udp);
            throw new IllegalStateException("cannot serve DNS on tcp " + where + ": " + e.getMessage(), e);
        }
        return serve(where, dns, udp, tcp);
    }

    private static DnsListener serve(String label, Answerer dns, DatagramChannel udp, ServerSocketChannel tcp) {
        DnsListener server = new DnsListener(label, dns, udp, tcp);
        Thread.ofVirtual().name("dns-udp-" + label).start(server::serveUdp);
        Thread.ofVirtual().name("dns-tcp-" + label).start(server::serveTcp);
        return server;
    }

    private void serveUdp() {
        // one per sandbox, held while it waits (64 KiB each was 64 MB of heap at 1000 sandboxes). A
        // query (a question and perhaps an OPT record) is far under 4 KiB; a longer datagram would
        // be cut short here, fail to parse and get no answer
        ByteBuffer in = ByteBuffer.allocate(QUERY_BUFFER);
        while (udp.isOpen()) {
            try {
                in.clear();
                SocketAddress client = udp.receive(in);
                byte[] query = new byte[in.flip().remaining()];
                in.get(query);
                Thread.ofVirtual().start(() -> reply(client, query)); // a slow forward never blocks the next query
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.debug("dns udp receive in {}: {}", label, e.getMessage());
            }
        }
    }

    private void reply(SocketAddress client, byte[] query) {
        byte[] answer;
        try {
            answer = dns.answer(((InetSocketAddress) client).getAddress(), query, false);
        } catch (RuntimeException e) {
            LOG.warn("embedded DNS failed to answer in {}", label, e);
            return;
        }
        if (answer != null) {
            try {
                udp.send(ByteBuffer.wrap(answer), client);
            } catch (IOException e) {
                LOG.debug("dns udp send in {}: {}", label, e.getMessage());
            }
        }
    }

    private void serveTcp() {
        while (tcp.isOpen()) {
            try {
                SocketChannel client = tcp.accept();
                Thread.ofVirtual().start(() -> serveConnection(client));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.debug("dns tcp accept in {}: {}", label, e.getMessage());
            }
        }
    }

    /** RFC 1035 TCP framing: a two-byte length before each message; several queries per connection. */
    private void serveConnection(SocketChannel client) {
        try (client) {
            ByteBuffer length = ByteBuffer.allocate(2);
            while (readFully(client, length.clear())) {
                ByteBuffer query = ByteBuffer.allocate(Short.toUnsignedInt(length.flip().getShort()));
                if (!readFully(client, query)) {
                    return;
                }
                byte[] answer;
                try {
                    answer = dns.answer(((InetSocketAddress) client.getRemoteAddress()).getAddress(), query.array(), true);
                } catch (RuntimeException e) {
                    LOG.warn("embedded DNS failed to answer in {}", label, e);
                    return;
                }
                if (answer == null) {
                    return;
                }
                ByteBuffer out = ByteBuffer.allocate(2 + answer.length).putShort((short) answer.length).put(answer).flip();
                while (out.hasRemaining()) {
                    client.write(out);
                }
            }
        } catch (IOException e) {
            LOG.debug("dns tcp connection in {}: {}", label, e.getMessage());
        }
    }

    private static boolean readFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        close(udp);
        close(tcp);
    }

    private static void close(java.nio.channels.Channel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
