package dev.weft.daemon.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.daemon.api.HttpApi;
import dev.weft.daemon.api.ServerHttp;
import dev.weft.daemon.journal.Journal;
import dev.weft.daemon.metrics.WeftMetrics;
import dev.weft.engine.Controller;
import dev.weft.engine.Errors;
import dev.weft.engine.WeftException;
import dev.weft.engine.ipam.IpamException;
import dev.weft.engine.ipam.PredefinedPools;
import dev.weft.store.Store;
import dev.weft.store.StoreException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * weft as a Docker network and IPAM plugin: Docker's remote NetworkDriver and IpamDriver protocols
 * (libnetwork docs/remote.md, docs/ipam.md), POST /Plugin.Activate, /NetworkDriver.*, /IpamDriver.*
 * with JSON bodies. A failure is a 4xx/5xx status with {"Err": message}, the form libnetwork's
 * plugin client reads from a non-200 reply; a refused request changes nothing.
 */
public final class PluginApi extends Handler.Abstract {
    /** The media type of Docker's plugin protocol. */
    public static final String MEDIA_TYPE = "application/vnd.docker.plugins.v1+json";
    private static final int MAX_BODY = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(PluginApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Function<JsonNode, ObjectNode>> calls = new LinkedHashMap<>();
    private final WeftMetrics metrics;
    private final DockerNames names;

    /**
     * Serves {@code controller}'s networks: overlay networks of global scope when it shares a
     * global store, unless {@code options} ask for local scope, else bridge networks; with local
     * scope and a {@code global} store, networks created with {@code -o weft.overlay=NAME} attach to
     * the global overlay NAME ({@link OverlayAttachments}). Join gives each container a route to
     * the options' nameservers.
     */
    public PluginApi(Controller controller, PluginOptions options, Journal journal, Store global, WeftMetrics metrics) {
        this.metrics = metrics;
        String host = controller.advertise();
        OverlayAttachments attachments = options.localScope() && global != null && host != null
                ? new OverlayAttachments(global, host) : null;
        names = attachments == null ? null : new DockerNames(global, controller, attachments, options.dockerApi());
        SharedOverlays overlays = attachments == null ? null : new SharedOverlays(controller, attachments, names);
        DockerNetworks nets = new DockerNetworks(controller, host != null && !options.localScope(), options.nameservers(),
                journal, overlays, names);
        DockerIpam ipam = new DockerIpam(controller.ipam(), attachments, overlays);
        calls.put("/Plugin.Activate", req -> {
            ObjectNode r = JSON.createObjectNode();
            r.putArray("Implements").add("NetworkDriver").add("IpamDriver");
            return r;
        });
        calls.put("/NetworkDriver.GetCapabilities", req -> nets.capabilities());
        calls.put("/NetworkDriver.CreateNetwork", nets::createNetwork);
        calls.put("/NetworkDriver.DeleteNetwork", nets::deleteNetwork);
        calls.put("/NetworkDriver.CreateEndpoint", nets::createEndpoint);
        calls.put("/NetworkDriver.EndpointOperInfo", nets::endpointInfo);
        calls.put("/NetworkDriver.DeleteEndpoint", nets::deleteEndpoint);
        calls.put("/NetworkDriver.Join", nets::join);
        calls.put("/NetworkDriver.Leave", nets::leave);
        // nothing to do: weft finds the other hosts in its own store, publishes no ports for Docker
        // (Docker's own proxy does, on the container's address), allocates nothing for swarm
        for (String noop : new String[] {"DiscoverNew", "DiscoverDelete", "ProgramExternalConnectivity",
                "RevokeExternalConnectivity", "AllocateNetwork", "FreeNetwork"}) {
            calls.put("/NetworkDriver." + noop, req -> JSON.createObjectNode());
        }
        calls.put("/IpamDriver.GetCapabilities", req -> ipam.capabilities());
        calls.put("/IpamDriver.GetDefaultAddressSpaces", req -> ipam.addressSpaces());
        calls.put("/IpamDriver.RequestPool", ipam::requestPool);
        calls.put("/IpamDriver.ReleasePool", ipam::releasePool);
        calls.put("/IpamDriver.RequestAddress", ipam::requestAddress);
        calls.put("/IpamDriver.ReleaseAddress", ipam::releaseAddress);
    }

    /**
     * The names of Docker's containers that a client at {@code client} resolves: those of its
     * overlay on every host when it is on an overlay attached in local scope, else none.
     */
    public Map<String, List<InetAddress>> dockerNames(InetAddress client) {
        return names == null ? Map.of() : names.namesFor(client);
    }

    /** The address spaces the IpamDriver serves, to register with the controller before it starts. */
    public static Map<String, PredefinedPools> addressSpaces() {
        return DockerIpam.spaces();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        long start = System.nanoTime();
        int status = 200;
        ObjectNode reply;
        try {
            Function<JsonNode, ObjectNode> call = calls.get(path);
            if (call == null) {
                throw PluginException.notFound("weft has no plugin call " + path);
            }
            if (!"POST".equals(request.getMethod())) {
                throw new PluginException(405, path + " takes POST, not " + request.getMethod());
            }
            JsonNode body = read(request);
            LOG.debug("{} {}", path, body);
            reply = call.apply(body);
        } catch (PluginException e) {
            status = e.status();
            reply = error(e.getMessage());
        } catch (WeftException e) {
            status = HttpApi.status(e.kind());
            reply = error(e.getMessage());
        } catch (IpamException e) {
            status = HttpApi.status(Errors.of(e).kind());
            reply = error(e.getMessage());
        } catch (StoreException e) {
            LOG.warn("{}: {}", path, e.getMessage());
            status = 503;
            reply = error(e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} failed", path, e);
            status = 500;
            reply = error("internal error: " + e.getMessage());
        }
        ServerHttp.drain(request); // a refused call's body too: never leave a client sending into a closed connection
        send(response, callback, status, reply);
        metrics.pluginServed(calls.containsKey(path) ? path.substring(1) : "other", status, System.nanoTime() - start);
        return true;
    }

    /** The request's JSON object; an empty body is an empty object (Docker sends null to Activate). */
    private static JsonNode read(Request request) {
        request.setAttribute(ServerHttp.BODY_READ, Boolean.TRUE);
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                in.skipNBytes(Math.min(Math.max(0, request.getLength() - body.length), ServerHttp.LIMIT));
                throw new PluginException(413, "request body is larger than " + MAX_BODY + " bytes");
            }
        } catch (IOException e) {
            throw PluginException.badRequest("cannot read the request body: " + e.getMessage());
        }
        try {
            JsonNode tree = body.length == 0 ? null : JSON.readTree(body);
            if (tree == null || tree.isNull() || tree.isMissingNode()) {
                return JSON.createObjectNode();
            }
            if (!tree.isObject()) {
                throw PluginException.badRequest("the request body must be a JSON object");
            }
            return tree;
        } catch (JsonProcessingException e) {
            throw PluginException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw PluginException.badRequest("cannot read the request body: " + e.getMessage());
        }
    }

    private static ObjectNode error(String message) {
        ObjectNode r = JSON.createObjectNode();
        r.put("Err", message);
        return r;
    }

    private static void send(Response response, Callback callback, int status, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            status = 500;
            bytes = "{\"Err\":\"cannot encode the reply\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MEDIA_TYPE);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
