package dev.weft.engine;

import dev.weft.linux.netns.Netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Packets as proof for service virtual IPs: a TCP server in each backend's namespace that
 * accepts and says its name, and a client in another namespace that opens new connections to the
 * virtual IP and counts who answered ("failed" for a connection that got no name).
 */
final class VipTraffic implements AutoCloseable {
    static final int PORT = 8080;
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<ServerSocketChannel> servers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    /** Starts a server saying {@code name} on PORT in the sandbox's namespace. */
    void serve(Sandbox sandbox, String name) {
        Netns ns = Netns.open(sandbox.netnsPath());
        namespaces.add(ns);
        ServerSocketChannel server = ns.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(PORT), 512));
        servers.add(server);
        byte[] answer = name.getBytes(StandardCharsets.UTF_8);
        Thread t = Thread.ofPlatform().daemon().name("vip-server-" + name).start(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    c.write(ByteBuffer.wrap(answer));
                } catch (IOException e) {
                    return; // closed
                }
            }
        });
        threads.add(t);
    }

    /** Opens {@code count} new connections from {@code client}'s namespace to {@code vip}; who answered, how often. */
    Map<String, Integer> connect(Sandbox client, String vip, int count) {
        Map<String, Integer> answers = new TreeMap<>();
        try (Netns ns = Netns.open(client.netnsPath())) {
            for (int i = 0; i < count; i++) {
                answers.merge(ask(ns, vip), 1, Integer::sum);
            }
        }
        return answers;
    }

    private static String ask(Netns ns, String vip) {
        try (SocketChannel c = ns.call(SocketChannel::open)) {
            c.socket().connect(new InetSocketAddress(vip, PORT), 2000);
            c.socket().setSoTimeout(2000);
            byte[] name = c.socket().getInputStream().readAllBytes();
            return name.length == 0 ? "failed" : new String(name, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "failed";
        }
    }

    @Override
    public void close() {
        for (ServerSocketChannel s : servers) {
            try {
                s.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        namespaces.forEach(Netns::close);
    }
}
