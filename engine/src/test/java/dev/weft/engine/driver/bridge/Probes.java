package dev.weft.engine.driver.bridge;

import dev.weft.engine.Sandbox;
import dev.weft.linux.netns.Netns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Real packets for the bridge tests: pings, and TCP servers that answer each connection with
 * the address they saw it come from (so a test sees whether it was masqueraded). Close it to stop
 * the servers.
 */
final class Probes implements AutoCloseable {
    private final List<ServerSocketChannel> servers = new ArrayList<>();

    static boolean ping(Netns from, String to) {
        return from.call(() -> {
            Process p = new ProcessBuilder("nsenter", "--net=" + from.path(), "ping", "-c", "1", "-W", "1", to)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        });
    }

    static boolean ping(Sandbox from, String to) {
        try (Netns ns = Netns.open(from.netnsPath())) {
            return ping(ns, to);
        }
    }

    /** A TCP server inside {@code ns} on {@code port} that answers every connection with its peer's address. */
    void server(Netns ns, int port) {
        ServerSocketChannel server = ns.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(port)));
        servers.add(server);
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    String peer = ((InetSocketAddress) c.getRemoteAddress()).getAddress().getHostAddress();
                    c.write(ByteBuffer.wrap(peer.getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** Servers on each of {@code ports} inside the sandbox's namespace. */
    void servers(Sandbox sandbox, int... ports) {
        try (Netns ns = Netns.open(sandbox.netnsPath())) {
            for (int port : ports) {
                server(ns, port);
            }
        }
    }

    /** Connects from inside {@code ns}; returns what the server answered, or null if unreachable. */
    static String connect(Netns ns, String ip, int port) {
        return ns.call(() -> {
            try (SocketChannel c = SocketChannel.open()) {
                c.socket().connect(new InetSocketAddress(ip, port), 1500);
                c.socket().setSoTimeout(3000); // a reserving socket that accepts but never answers is not a server
                byte[] b = new byte[64];
                int n = c.socket().getInputStream().read(b);
                return n < 0 ? "" : new String(b, 0, n, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return null;
            }
        });
    }

    /** The first non-null answer of {@code attempt} within 5 s (IPv6 neighbour discovery may take a moment at first). */
    static String eventually(Supplier<String> attempt) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        String answer = attempt.get();
        while (answer == null && System.nanoTime() < end) {
            Thread.sleep(200);
            answer = attempt.get();
        }
        return answer;
    }

    static String connect(Sandbox from, String ip, int port) {
        try (Netns ns = Netns.open(from.netnsPath())) {
            return connect(ns, ip, port);
        }
    }

    @Override
    public void close() throws IOException {
        for (ServerSocketChannel s : servers) {
            s.close();
        }
        servers.clear();
    }
}
