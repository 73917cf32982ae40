package dev.weft.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run for the CLI's JDK AOT cache (scripts/build): common commands against a
 * stand-in for weftd on a temporary Unix socket that answers every request with one canned
 * network, so that the classes a real command loads (the HTTP exchange, JSON parsing, table
 * output) are recorded. Nothing here talks to a real daemon or changes anything.
 */
public final class AotTraining {
    private static final String NETWORK = """
            [{"Name": "train", "Id": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
              "Driver": "bridge", "Scope": "local", "Internal": false, "EnableIPv6": false, "Labels": {},
              "Options": {}, "IPAM": {"Driver": "default", "Config": [{"Subnet": "192.0.2.0/24"}]}, "Containers": {}}]""";

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("weft-aot");
        Path socket = dir.resolve("weft.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread.ofPlatform().daemon().start(() -> serve(server));
            PrintWriter sink = new PrintWriter(Writer.nullWriter());
            String host = "unix://" + socket;
            for (String[] command : new String[][] {{"network", "ls"}, {"network", "ls", "--format", "json"},
                    {"network", "inspect", "train"}, {"service", "ls"}, {"ps"}, {"--help"}}) {
                String[] full = new String[command.length + 2];
                full[0] = "-H";
                full[1] = host;
                System.arraycopy(command, 0, full, 2, command.length);
                WeftCli.run(full, sink, sink);
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static void serve(ServerSocketChannel server) {
        while (server.isOpen()) {
            try (SocketChannel c = server.accept()) {
                c.read(ByteBuffer.allocate(8192));
                byte[] body = NETWORK.getBytes(StandardCharsets.UTF_8);
                String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n";
                c.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
                c.write(ByteBuffer.wrap(body));
            } catch (IOException e) {
                return;
            }
        }
    }
}
