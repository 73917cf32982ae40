package dev.weft.engine.driver.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Rtnetlink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A network plugin for tests, with the JDK only: an HTTP server on a Unix socket that records
 * every call (method, Accept header, JSON body) in order and answers as a real veth plugin does:
 * CreateEndpoint makes a veth pair in the host namespace ("rh" + id as its own side, "rs" + id as
 * the SrcName it gives in Join), DeleteEndpoint deletes it. Replies can be replaced per method,
 * and a method can be made to never answer.
 */
final class FakePlugin implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    record Call(String method, String accept, JsonNode body) {
    }

    private record Canned(int status, String body) {
    }

    private final ServerSocketChannel server;
    private final Path socket;
    private final Rtnetlink host;
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, Canned> canned = new ConcurrentHashMap<>();
    private final Map<String, Boolean> hanging = new ConcurrentHashMap<>();
    private final List<SocketChannel> held = new ArrayList<>();
    private final Thread acceptor;
    private volatile String scope = "local";
    private volatile String srcName;

    FakePlugin(Path socket, Netns hostNs) {
        this.socket = socket;
        this.host = Rtnetlink.open(hostNs);
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            host.close();
            throw new UncheckedIOException(e);
        }
        acceptor = Thread.ofPlatform().daemon().name("fake-plugin").start(this::serve);
    }

    /** Answers {@code method} with {@code status} and {@code body} from now on. */
    void reply(String method, int status, String body) {
        canned.put(method, new Canned(status, body));
    }

    /** Reads {@code method} and never answers it. */
    void hang(String method) {
        hanging.put(method, true);
    }

    /** The Scope GetCapabilities gives; null leaves it out. */
    void scope(String s) {
        scope = s;
    }

    /** Join gives this SrcName instead of the veth it made. */
    void srcName(String name) {
        srcName = name;
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    List<String> methods() {
        return calls().stream().map(Call::method).toList();
    }

    /** The body of the last call of {@code method}. */
    JsonNode last(String method) {
        return calls().reversed().stream().filter(c -> c.method().equals(method)).findFirst().orElseThrow().body();
    }

    static String hostSide(String endpointId) {
        return "rh" + endpointId.substring(0, 8);
    }

    static String pluginSide(String endpointId) {
        return "rs" + endpointId.substring(0, 8);
    }

    private void serve() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Thread.ofVirtual().start(() -> handle(ch));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(SocketChannel ch) {
        try {
            String[] request = read(ch);
            String method = request[0].substring(1);
            JsonNode body = request[2].isBlank() ? JSON.createObjectNode() : JSON.readTree(request[2]);
            synchronized (this) {
                calls.add(new Call(method, request[1], body));
                if (hanging.containsKey(method)) {
                    held.add(ch);
                    return;
                }
            }
            Canned c = canned.containsKey(method) ? canned.get(method) : new Canned(200, answer(method, body));
            byte[] out = c.body().getBytes(StandardCharsets.UTF_8);
            String head = "HTTP/1.1 " + c.status() + " X\r\nContent-Type: application/vnd.docker.plugins.v1.2+json\r\n"
                    + "Content-Length: " + out.length + "\r\n\r\n";
            ch.write(ByteBuffer.wrap((head + c.body()).getBytes(StandardCharsets.UTF_8)));
            ch.close();
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the client sees the close
            }
        }
    }

    /** Reads one request: {path, Accept header, body}. */
    private static String[] read(SocketChannel ch) throws IOException {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (true) {
            String text = in.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0) {
                String head = text.substring(0, end);
                int length = 0;
                String accept = "";
                for (String line : head.split("\r\n")) {
                    String lower = line.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    } else if (lower.startsWith("accept:")) {
                        accept = line.substring(7).trim();
                    }
                }
                if (text.length() - end - 4 >= length) {
                    return new String[] {head.split(" ")[1], accept, text.substring(end + 4, end + 4 + length)};
                }
            }
            if (ch.read(buf.clear()) < 0) {
                throw new IOException("client closed early");
            }
            in.write(buf.array(), 0, buf.position());
        }
    }

    private String answer(String method, JsonNode body) {
        ObjectNode r = JSON.createObjectNode();
        String ep = body.path("EndpointID").asText();
        switch (method) {
            case "Plugin.Activate" -> r.putArray("Implements").add("NetworkDriver").add("IpamDriver");
            case "IpamDriver.GetDefaultAddressSpaces" ->
                    r.put("LocalDefaultAddressSpace", "fakelocal").put("GlobalDefaultAddressSpace", "fakeglobal");
            case "IpamDriver.RequestPool" -> {
                String pool = body.path("Pool").asText().isEmpty() ? "198.51.100.0/24" : body.path("Pool").asText();
                r.put("PoolID", body.path("AddressSpace").asText() + "/" + pool).put("Pool", pool).putObject("Data");
            }
            case "IpamDriver.RequestAddress" -> r.put("Address", address(body)).putObject("Data");
            case "NetworkDriver.GetCapabilities" -> {
                if (scope != null) {
                    r.put("Scope", scope);
                }
            }
            case "NetworkDriver.CreateEndpoint" -> {
                host.links().create(new LinkSpec.Veth(hostSide(ep), pluginSide(ep)));
                host.links().setUp(hostSide(ep));
            }
            case "NetworkDriver.Join" -> {
                ObjectNode name = r.putObject("InterfaceName");
                name.put("SrcName", srcName != null ? srcName : pluginSide(ep));
                name.put("DstPrefix", "eth");
                r.put("Gateway", "");
                ObjectNode via = r.putArray("StaticRoutes").addObject();
                via.put("Destination", "10.99.0.0/16").put("RouteType", 0).put("NextHop", "192.0.2.1");
                r.withArray("StaticRoutes").addObject().put("Destination", "198.18.0.0/24").put("RouteType", 1);
            }
            case "NetworkDriver.DeleteEndpoint" -> host.links().deleteIfExists(hostSide(ep));
            default -> {
                // CreateNetwork, DeleteNetwork, Leave: {}
            }
        }
        return r.toString();
    }

    private int nextHost = 10;

    /** The gateway is .1 of the pool, other addresses .10, .11, ... (or the one asked for); /24 pools only. */
    private synchronized String address(JsonNode body) {
        String pool = body.path("PoolID").asText();
        String net = pool.substring(pool.indexOf('/') + 1, pool.lastIndexOf('.'));
        if (!body.path("Address").asText().isEmpty()) {
            return body.path("Address").asText() + "/24";
        }
        boolean gateway = "com.docker.network.gateway".equals(body.path("Options").path("RequestAddressType").asText());
        return net + "." + (gateway ? 1 : nextHost++) + "/24";
    }

    @Override
    public void close() {
        try {
            server.close();
            synchronized (this) {
                for (SocketChannel ch : held) {
                    ch.close();
                }
            }
            acceptor.join(2000);
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            host.close();
        }
    }
}
