package dev.weft.ovsdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OVSDB (RFC 7047) client on one JSON-RPC connection over a Unix socket. Requests may be sent
 * from any thread; one reader thread matches replies to requests by id, answers the server's
 * echo (its inactivity probe) and hands monitor updates to their listeners.
 *
 * <pre>{@code
 * try (OvsdbClient db = OvsdbClient.connect("unix:/var/run/openvswitch/db.sock")) {
 *     List<JsonNode> results = db.transact("Open_vSwitch", List.of(new Op.Select("Bridge", List.of(), List.of("name"))));
 * }
 * }</pre>
 */
public final class OvsdbClient implements AutoCloseable {
    public static final String DEFAULT_URL = "unix:/var/run/openvswitch/db.sock";

    /** The database a tool finds without being told, as ovs-vsctl does: {@code unix:$OVS_RUNDIR/db.sock}, else {@link #DEFAULT_URL}. */
    public static String defaultUrl() {
        String rundir = System.getenv("OVS_RUNDIR");
        return rundir == null || rundir.isBlank() ? DEFAULT_URL : "unix:" + rundir + "/db.sock";
    }
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final String url;
    private final SocketChannel channel;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<String, MonitorListener> monitors = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Object writeLock = new Object();
    private final Thread reader;
    private final Duration timeout;
    private volatile boolean closed;

    private OvsdbClient(String url, SocketChannel channel, Duration timeout) {
        this.url = url;
        this.channel = channel;
        this.timeout = timeout;
        this.reader = Thread.ofPlatform().daemon().name("ovsdb-reader").start(this::readLoop);
    }

    /** Connects to {@code unix:PATH} (the only form loris needs); requests time out after 30 s. */
    public static OvsdbClient connect(String url) {
        return connect(url, Duration.ofSeconds(30));
    }

    public static OvsdbClient connect(String url, Duration timeout) {
        if (url == null || !url.startsWith("unix:") || url.length() == 5) {
            throw new IllegalArgumentException("unsupported OVSDB address \"" + url + "\": expected unix:PATH");
        }
        Path path = Path.of(url.substring(5));
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(path));
            return new OvsdbClient(url, ch, timeout);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new OvsdbException.Unavailable("cannot connect to the OVSDB server at " + url
                    + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + " (is ovsdb-server running?)", e);
        }
    }

    public String url() {
        return url;
    }

    /** The names of the server's databases. */
    public List<String> listDbs() {
        return JSON.convertValue(call("list_dbs", F.arrayNode()), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    /** The database's schema (as JSON). */
    public JsonNode schema(String db) {
        return call("get_schema", F.arrayNode().add(db));
    }

    /** Sends an echo and waits for it to come back (a liveness check). */
    public void echo() {
        JsonNode r = call("echo", F.arrayNode().add("weft"));
        if (!r.isArray() || r.size() != 1 || !"weft".equals(r.get(0).asText())) {
            throw new OvsdbException("OVSDB echo came back as " + r);
        }
    }

    /**
     * Runs the operations as one transaction and returns one result per operation. If the server
     * refuses any of them, nothing is committed and {@link OvsdbException.TransactionFailed} says which
     * and why.
     */
    public List<JsonNode> transact(String db, List<? extends Op> ops) {
        ArrayNode params = F.arrayNode().add(db);
        ops.forEach(op -> params.add(op.toJson()));
        JsonNode result = call("transact", params);
        for (int i = 0; i < result.size(); i++) {
            JsonNode r = result.get(i);
            if (r != null && r.has("error")) {
                String name = i < ops.size() ? ops.get(i).toJson().path("op").asText() : "commit";
                throw new OvsdbException.TransactionFailed(r.path("error").asText(),
                        r.path("details").asText(null), i < ops.size() ? i : -1, name);
            }
        }
        return List.copyOf(JSON.convertValue(result, JSON.getTypeFactory().constructCollectionType(List.class, JsonNode.class)));
    }

    /** The rows of one select, as objects of the selected columns. */
    public List<ObjectNode> select(String db, String table, List<Condition> where, List<String> columns) {
        JsonNode r = transact(db, List.of(new Op.Select(table, where, columns))).getFirst();
        return JSON.convertValue(r.path("rows"), JSON.getTypeFactory().constructCollectionType(List.class, ObjectNode.class));
    }

    /**
     * Starts monitor {@code id} on the given tables (table -> columns, empty for all) and returns the
     * initial contents as table-updates; later changes go to {@code listener}.
     */
    public ObjectNode monitor(String db, String id, Map<String, List<String>> tables, MonitorListener listener) {
        ObjectNode requests = F.objectNode();
        tables.forEach((table, columns) -> {
            ObjectNode req = F.objectNode();
            if (!columns.isEmpty()) {
                ArrayNode cols = req.putArray("columns");
                columns.forEach(cols::add);
            }
            requests.set(table, req);
        });
        if (monitors.putIfAbsent(id, listener) != null) {
            throw new IllegalArgumentException("monitor \"" + id + "\" is already running on this connection");
        }
        try {
            return (ObjectNode) call("monitor", F.arrayNode().add(db).add(id).add(requests));
        } catch (RuntimeException e) {
            monitors.remove(id);
            throw e;
        }
    }

    public void cancelMonitor(String id) {
        call("monitor_cancel", F.arrayNode().add(id));
        monitors.remove(id);
    }

    private JsonNode call(String method, ArrayNode params) {
        String id = Long.toString(ids.incrementAndGet());
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            send(F.objectNode().put("method", method).<ObjectNode>set("params", params).put("id", id));
            JsonNode response = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            JsonNode error = response.get("error");
            if (error != null && !error.isNull()) {
                throw new OvsdbException.RpcError(method, error.isTextual() ? error.asText() : error.toString());
            }
            return response.path("result");
        } catch (TimeoutException e) {
            throw new OvsdbException.Unavailable("OVSDB server at " + url + " did not answer " + method + " within " + timeout, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof OvsdbException o ? o
                    : new OvsdbException.Unavailable("OVSDB " + method + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OvsdbException.Unavailable("interrupted waiting for OVSDB " + method, e);
        } finally {
            pending.remove(id);
        }
    }

    private void send(ObjectNode message) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(JSON.writeValueAsBytes(message));
            synchronized (writeLock) {
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        } catch (IOException e) {
            throw new OvsdbException.Unavailable("lost the connection to the OVSDB server at " + url + ": " + e.getMessage(), e);
        }
    }

    private void readLoop() {
        Throwable failure = null;
        try (MappingIterator<JsonNode> messages = JSON.readerFor(JsonNode.class).readValues(Channels.newInputStream(channel))) {
            while (messages.hasNextValue()) {
                dispatch(messages.nextValue());
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        String why = closed ? "connection closed" : "the OVSDB server at " + url + " closed the connection";
        OvsdbException gone = new OvsdbException.Unavailable(why, failure);
        pending.values().forEach(f -> f.completeExceptionally(gone));
    }

    private void dispatch(JsonNode message) {
        JsonNode id = message.get("id");
        String method = message.path("method").asText(null);
        if (method == null) {
            CompletableFuture<JsonNode> f = id == null ? null : pending.get(id.asText());
            if (f != null) {
                f.complete(message);
            }
        } else if (method.equals("echo")) {
            ObjectNode reply = F.objectNode();
            reply.set("result", message.path("params"));
            reply.putNull("error");
            reply.set("id", id);
            send(reply);
        } else if (method.equals("update")) {
            MonitorListener l = monitors.get(message.path("params").path(0).asText());
            if (l != null && message.path("params").get(1) instanceof ObjectNode updates) {
                l.updated(updates);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(channel);
        try {
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do: the socket is gone either way
            }
        }
    }
}
