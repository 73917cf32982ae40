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
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A DNS server's UDP and TCP sockets, read by weftd's {@link DnsSelector}: 127.0.0.11:53 inside
 * one sandbox (sockets opened inside its namespace, where they stay; the socket a query arrives on
 * tells which sandbox asks, so each container sees only the names of its own networks, whatever
 * the driver), or an address of the host's own namespace, where the client's address tells who
 * asks (the DNS server Docker's containers reach through {@code dockerd --dns}).
 */
final class DnsListener implements AutoCloseable {
    static final InetAddress ADDRESS = InetAddress.ofLiteral("127.0.0.11");
    private static final int QUERY_BUFFER = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(DnsListener.class);
    /** The selector thread's buffer for UDP queries, one per thread that receives. */
    private static final ThreadLocal<ByteBuffer> QUERY = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(QUERY_BUFFER));
    private final DnsSelector selector;
    private final String label;
    private final Answerer dns;
    private final DatagramChannel udp;
    private final ServerSocketChannel tcp;

    /** What answers one query from {@code client}; null when the query is not DNS at all. */
    @FunctionalInterface
    interface Answerer {
        byte[] answer(InetAddress client, byte[] query, boolean tcp);
    }

    private DnsListener(DnsSelector selector, String label, Answerer dns, DatagramChannel udp, ServerSocketChannel tcp) {
        this.selector = selector;
        this.label = label;
        this.dns = dns;
        this.udp = udp;
        this.tcp = tcp;
    }

    /** 127.0.0.11:{@code port} in the namespace at {@code sandbox}, answered by {@code dns} for {@code sandboxId}. */
    static DnsListener inSandbox(DnsSelector selector, Path sandbox, String sandboxId, DnsResolver dns, int port) {
        InetSocketAddress address = new InetSocketAddress(ADDRESS, port);
        DatagramChannel udp = HostKernel.inNamespace(sandbox, () -> DatagramChannel.open().bind(address));
        ServerSocketChannel tcp;
        try {
            tcp = HostKernel.inNamespace(sandbox, () -> ServerSocketChannel.open().bind(address));
        } catch (RuntimeException e) {
            close(udp);
            throw e;
        }
        return serve(selector, "sandbox " + sandboxId, (client, query, overTcp) -> dns.answer(sandboxId, query, overTcp), udp, tcp);
    }

    /** {@code address} in weftd's own namespace, answered by {@code dns}. */
    static DnsListener onHost(DnsSelector selector, InetSocketAddress address, Answerer dns) {
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
        return serve(selector, where, dns, udp, tcp);
    }

    private static DnsListener serve(DnsSelector selector, String label, Answerer dns, DatagramChannel udp,
                                     ServerSocketChannel tcp) {
        DnsListener server = new DnsListener(selector, label, dns, udp, tcp);
        try {
            selector.register(udp, SelectionKey.OP_READ, server::receive);
            selector.register(tcp, SelectionKey.OP_ACCEPT, server::accept);
        } catch (IOException e) {
            server.close();
            throw new IllegalStateException("cannot serve DNS in " + label + ": " + e.getMessage(), e);
        }
        return server;
    }

    /** Every datagram waiting, each answered by a virtual thread of its own: a slow forward never blocks the next query. */
    private void receive() throws IOException {
        // one buffer for all listeners, on the selector's thread. A query (a question and perhaps
        // an OPT record) is far under 4 KiB; a longer datagram is cut short here, fails to parse
        // and gets no answer
        ByteBuffer in = QUERY.get();
        while (true) {
            SocketAddress client;
            try {
                client = udp.receive(in.clear());
            } catch (ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                LOG.debug("dns udp receive in {}: {}", label, e.getMessage());
                return; // the selector calls again while more is waiting
            }
            if (client == null) {
                return;
            }
            byte[] query = new byte[in.flip().remaining()];
            in.get(query);
            Thread.ofVirtual().start(() -> reply(client, query));
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
                // non-blocking: a full socket buffer drops the answer, as a full network would
                if (udp.send(ByteBuffer.wrap(answer), client) == 0) {
                    LOG.debug("dns udp send in {}: socket buffer full, answer dropped", label);
                }
            } catch (IOException e) {
                LOG.debug("dns udp send in {}: {}", label, e.getMessage());
            }
        }
    }

    /** Every connection waiting, each served by a virtual thread of its own (accepted channels block). */
    private void accept() throws IOException {
        SocketChannel client;
        while ((client = tcp.accept()) != null) {
            SocketChannel c = client;
            Thread.ofVirtual().start(() -> serveConnection(c));
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
        selector.close(udp);
        selector.close(tcp);
    }

    private static void close(java.nio.channels.Channel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
