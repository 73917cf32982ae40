package dev.weft.engine.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Rtnetlink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A network plugin for tests, with the JDK only: an HTTP server on a Unix socket, or
 * ({@link #tcp}) on TCP 127.0.0.1 in plain HTTP or HTTPS with the JDK's HttpsServer, that records
 * every call (method, Accept header, JSON body) in order and answers as a real veth plugin does:
 * CreateEndpoint makes a veth pair in the host namespace ("rh" + id as its own side, "rs" + id as
 * the SrcName it gives in Join), DeleteEndpoint deletes it. Replies can be replaced per method,
 * and a method can be made to never answer.
 */
public final class FakePlugin implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();

    public record Call(String method, String accept, JsonNode body) {
    }

    private record Canned(int status, String body) {
    }

    private final ServerSocketChannel server;
    private final Path socket;
    private final HttpServer http;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Rtnetlink host;
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, Canned> canned = new ConcurrentHashMap<>();
    private final Map<String, Boolean> hanging = new ConcurrentHashMap<>();
    private final List<SocketChannel> held = new ArrayList<>();
    private final Thread acceptor;
    private volatile String scope = "local";
    private volatile String srcName;

    public FakePlugin(Path socket, Netns hostNs) {
        this.socket = socket;
        this.http = null;
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

    private FakePlugin(HttpServer http, Netns hostNs) {
        this.socket = null;
        this.server = null;
        this.acceptor = null;
        this.http = http;
        this.host = Rtnetlink.open(hostNs);
        http.createContext("/", this::handle);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.start();
    }

    /**
     * A plugin on TCP 127.0.0.1 at a free port: plain HTTP when {@code tls} is null, else HTTPS
     * with {@code tls}'s certificate, requiring a client certificate when {@code needClientAuth}.
     */
    public static FakePlugin tcp(Netns hostNs, SSLContext tls, boolean needClientAuth) {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        try {
            if (tls == null) {
                return new FakePlugin(HttpServer.create(any, 0), hostNs);
            }
            HttpsServer https = HttpsServer.create(any, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters ssl = tls.getDefaultSSLParameters();
                    ssl.setNeedClientAuth(needClientAuth);
                    params.setSSLParameters(ssl);
                }
            });
            return new FakePlugin(https, hostNs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The TCP port of a {@link #tcp} plugin. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** Answers {@code method} with {@code status} and {@code body} from now on. */
    public void reply(String method, int status, String body) {
        canned.put(method, new Canned(status, body));
    }

    /** Reads {@code method} and never answers it. */
    public void hang(String method) {
        hanging.put(method, true);
    }

    /** The Scope GetCapabilities gives; null leaves it out. */
    public void scope(String s) {
        scope = s;
    }

    /** Join gives this SrcName instead of the veth it made. */
    public void srcName(String name) {
        srcName = name;
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<String> methods() {
        return calls().stream().map(Call::method).toList();
    }

    /** The body of the last call of {@code method}. */
    public JsonNode last(String method) {
        return calls().reversed().stream().filter(c -> c.method().equals(method)).findFirst().orElseThrow().body();
    }

    public static String hostSide(String endpointId) {
        return "rh" + endpointId.substring(0, 8);
    }

    public static String pluginSide(String endpointId) {
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

    /** Records a call and gives its answer; null when the method hangs. */
    private Canned record(String path, String accept, String text) throws IOException {
        String method = path.substring(1);
        JsonNode body = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        synchronized (this) {
            calls.add(new Call(method, accept == null ? "" : accept, body));
            if (hanging.containsKey(method)) {
                return null;
            }
        }
        return canned.containsKey(method) ? canned.get(method) : new Canned(200, answer(method, body));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Canned c = record(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Accept"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (c == null) {
                closed.await();
                return;
            }
            byte[] out = c.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.docker.plugins.v1.2+json");
            exchange.sendResponseHeaders(c.status(), out.length == 0 ? -1 : out.length);
            exchange.getResponseBody().write(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(SocketChannel ch) {
        try {
            String[] request = read(ch);
            Canned c = record(request[0], request[1], request[2]);
            if (c == null) {
                synchronized (this) {
                    held.add(ch);
                }
                return;
            }
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
        closed.countDown();
        if (http != null) {
            http.stop(0);
            host.close();
            return;
        }
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
