package dev.weft.daemon.dns;

import dev.weft.daemon.kernel.HostKernel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
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
 * 127.0.0.11:53, UDP and TCP, inside one sandbox: sockets opened inside its namespace (where
 * they stay) and served from weftd by virtual threads. The socket a query arrives on tells which
 * sandbox asks, so each container sees only the names of its own networks, whatever the driver.
 */
final class SandboxDnsServer implements AutoCloseable {
    static final InetAddress ADDRESS = InetAddress.ofLiteral("127.0.0.11");
    private static final int QUERY_BUFFER = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(SandboxDnsServer.class);
    private final String sandboxId;
    private final DnsResolver dns;
    private final DatagramChannel udp;
    private final ServerSocketChannel tcp;

    private SandboxDnsServer(String sandboxId, DnsResolver dns, DatagramChannel udp, ServerSocketChannel tcp) {
        this.sandboxId = sandboxId;
        this.dns = dns;
        this.udp = udp;
        this.tcp = tcp;
    }

    static SandboxDnsServer start(Path sandbox, String sandboxId, DnsResolver dns, int port) {
        InetSocketAddress address = new InetSocketAddress(ADDRESS, port);
        DatagramChannel udp = HostKernel.inNamespace(sandbox, () -> DatagramChannel.open().bind(address));
        ServerSocketChannel tcp;
        try {
            tcp = HostKernel.inNamespace(sandbox, () -> ServerSocketChannel.open().bind(address));
        } catch (RuntimeException e) {
            close(udp);
            throw e;
        }
        SandboxDnsServer server = new SandboxDnsServer(sandboxId, dns, udp, tcp);
        Thread.ofVirtual().name("dns-udp-" + sandboxId).start(server::serveUdp);
        Thread.ofVirtual().name("dns-tcp-" + sandboxId).start(server::serveTcp);
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
                LOG.debug("dns udp receive in sandbox {}: {}", sandboxId, e.getMessage());
            }
        }
    }

    private void reply(SocketAddress client, byte[] query) {
        byte[] answer;
        try {
            answer = dns.answer(sandboxId, query, false);
        } catch (RuntimeException e) {
            LOG.warn("embedded DNS failed to answer in sandbox {}", sandboxId, e);
            return;
        }
        if (answer != null) {
            try {
                udp.send(ByteBuffer.wrap(answer), client);
            } catch (IOException e) {
                LOG.debug("dns udp send in sandbox {}: {}", sandboxId, e.getMessage());
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
                LOG.debug("dns tcp accept in sandbox {}: {}", sandboxId, e.getMessage());
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
                    answer = dns.answer(sandboxId, query.array(), true);
                } catch (RuntimeException e) {
                    LOG.warn("embedded DNS failed to answer in sandbox {}", sandboxId, e);
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
            LOG.debug("dns tcp connection in sandbox {}: {}", sandboxId, e.getMessage());
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
