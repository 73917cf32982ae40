package dev.weft.daemon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.weft.daemon.containers.ContainerCreate;
import dev.weft.daemon.containers.Containers;
import dev.weft.engine.WeftException;
import dev.weft.store.StoreException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * weftd's REST API (JSON, versioned under /v1, shaped like the Docker Engine network API). Every
 * failure is a JSON {"message": ...} with the status that fits: bad input 400, refused 403,
 * missing 404, wrong method 405, in the way 409, too large 413, weft's own fault 500.
 */
public final class HttpApi extends Handler.Abstract {
    /** Request bodies larger than this are refused with 413. */
    public static final int MAX_BODY = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper JSON = strictMapper();
    private static final Pattern NETWORK = Pattern.compile("/v1/networks/([^/]+)");
    private static final Pattern NETWORK_ACTION = Pattern.compile("/v1/networks/([^/]+)/(connect|disconnect)");
    private static final Pattern SANDBOX = Pattern.compile("/v1/sandboxes/([^/]+)");
    private static final Pattern SERVICE = Pattern.compile("/v1/services/([^/]+)");
    private static final Pattern CONTAINER = Pattern.compile("/v1/containers/([^/]+)(/logs)?");
    private static final Pattern SERVICE_ACTION = Pattern.compile("/v1/services/([^/]+)/(attach|detach)");

    private final Networks networks;
    private final Sandboxes sandboxes;
    private final NetworkConnections connections;
    private final Services services;
    private final Containers containers;

    /** JSON as written: no numbers taken for strings or strings for booleans, no unknown fields. */
    private static ObjectMapper strictMapper() {
        ObjectMapper m = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        for (CoercionInputShape shape : new CoercionInputShape[] {CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean}) {
            m.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        return m;
    }

    public HttpApi(Networks networks, NetworkConnections connections, Sandboxes sandboxes, Services services,
                   Containers containers) {
        this.networks = networks;
        this.sandboxes = sandboxes;
        this.connections = connections;
        this.services = services;
        this.containers = containers;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        int status;
        Object body;
        try {
            Object result = route(method, path, request);
            status = result instanceof Reply r ? r.status() : 200;
            body = result instanceof Reply r ? r.body() : result;
        } catch (ApiException e) {
            status = e.status();
            body = Map.of("message", e.getMessage());
        } catch (WeftException e) {
            status = status(e.kind());
            body = Map.of("message", e.getMessage());
        } catch (StoreException e) {
            LOG.warn("{} {}: {}", method, path, e.getMessage());
            status = 503;
            body = Map.of("message", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, path, e);
            status = 500;
            body = Map.of("message", "internal error: " + e.getMessage());
        }
        ServerHttp.drain(request);
        send(response, callback, status, body);
        return true;
    }


    private record Reply(int status, Object body) {
    }

    private Object route(String method, String path, Request request) {
        if (path.equals("/v1/networks") || path.equals("/v1/networks/")) {
            requireMethod(method, "GET");
            Map<String, List<String>> filters = filters(request);
            NetworkFilters.check(filters);
            return networks.list(filters);
        }
        if (path.equals("/v1/networks/create")) {
            requireMethod(method, "POST");
            String id = networks.create(read(request, NetworkCreate.class));
            return new Reply(201, Map.of("Id", id, "Warning", ""));
        }
        if (path.equals("/v1/networks/prune")) {
            requireMethod(method, "POST");
            return Map.of("NetworksDeleted", networks.prune());
        }
        Matcher action = NETWORK_ACTION.matcher(path);
        if (action.matches()) {
            requireMethod(method, "POST");
            Connect body = read(request, Connect.class);
            if (action.group(2).equals("connect")) {
                connections.connect(action.group(1), body);
            } else {
                connections.disconnect(action.group(1), body);
            }
            return new Reply(200, null);
        }
        Object sandbox = sandboxRoute(method, path, request);
        if (sandbox != null) {
            return sandbox;
        }
        Object service = serviceRoute(method, path, request);
        if (service != null) {
            return service;
        }
        Object container = containerRoute(method, path, request);
        if (container != null) {
            return container;
        }
        Matcher m = NETWORK.matcher(path);
        if (m.matches()) {
            String name = m.group(1);
            return switch (method) {
                case "GET" -> networks.inspect(name);
                case "DELETE" -> {
                    networks.delete(name);
                    yield new Reply(204, null);
                }
                default -> throw new ApiException(405, method + " is not allowed on " + path + " (GET, DELETE)");
            };
        }
        if (path.equals("/v1/_ping")) {
            requireMethod(method, "GET");
            return Map.of("ApiVersion", "v1");
        }
        if (path.equals("/v1/openapi.json")) {
            requireMethod(method, "GET");
            return openApi();
        }
        throw new ApiException(404, "no such API: " + method + " " + path);
    }

    /** The /v1/containers routes, or null for another path. */
    private Object containerRoute(String method, String path, Request request) {
        if (path.equals("/v1/containers") || path.equals("/v1/containers/")) {
            requireMethod(method, "GET");
            return containers.list();
        }
        if (path.equals("/v1/containers/create")) {
            requireMethod(method, "POST");
            return new Reply(201, containers.create(read(request, ContainerCreate.class)));
        }
        Matcher m = CONTAINER.matcher(path);
        if (!m.matches()) {
            return null;
        }
        if (m.group(2) != null) {
            requireMethod(method, "GET");
            return Map.of("Logs", containers.logs(m.group(1)));
        }
        return switch (method) {
            case "GET" -> containers.inspect(m.group(1));
            case "DELETE" -> {
                containers.remove(m.group(1), "true".equals(Request.extractQueryParameters(request).getValue("force")));
                yield new Reply(204, null);
            }
            default -> throw new ApiException(405, method + " is not allowed on " + path + " (GET, DELETE)");
        };
    }

    /** The /v1/services routes, or null for another path. */
    private Object serviceRoute(String method, String path, Request request) {
        if (path.equals("/v1/services") || path.equals("/v1/services/")) {
            requireMethod(method, "GET");
            return services.list(Request.extractQueryParameters(request).getValue("network"));
        }
        if (path.equals("/v1/services/publish")) {
            requireMethod(method, "POST");
            return new Reply(201, services.publish(read(request, ServicePublish.class)));
        }
        Matcher action = SERVICE_ACTION.matcher(path);
        if (action.matches()) {
            requireMethod(method, "POST");
            Connect body = read(request, Connect.class);
            if (action.group(2).equals("attach")) {
                services.attach(action.group(1), body);
            } else {
                services.detach(action.group(1), body);
            }
            return new Reply(200, null);
        }
        Matcher m = SERVICE.matcher(path);
        if (!m.matches()) {
            return null;
        }
        return switch (method) {
            case "GET" -> services.info(m.group(1));
            case "DELETE" -> {
                services.unpublish(m.group(1), "true".equals(Request.extractQueryParameters(request).getValue("force")));
                yield new Reply(204, null);
            }
            default -> throw new ApiException(405, method + " is not allowed on " + path + " (GET, DELETE)");
        };
    }

    /** The /v1/sandboxes routes, or null for another path. */
    private Object sandboxRoute(String method, String path, Request request) {
        if (path.equals("/v1/sandboxes") || path.equals("/v1/sandboxes/")) {
            requireMethod(method, "GET");
            return sandboxes.list();
        }
        if (path.equals("/v1/sandboxes/create")) {
            requireMethod(method, "POST");
            return new Reply(201, sandboxes.create(read(request, SandboxCreate.class)));
        }
        Matcher m = SANDBOX.matcher(path);
        if (!m.matches()) {
            return null;
        }
        return switch (method) {
            case "GET" -> sandboxes.inspect(m.group(1));
            case "DELETE" -> {
                sandboxes.delete(m.group(1));
                yield new Reply(204, null);
            }
            default -> throw new ApiException(405, method + " is not allowed on " + path + " (GET, DELETE)");
        };
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new ApiException(405, method + " is not allowed here (" + allowed + ")");
        }
    }

    /** Docker's filters query parameter: a JSON object of name -> list of values. */
    private static Map<String, List<String>> filters(Request request) {
        Fields query = Request.extractQueryParameters(request);
        String raw = query.getValue("filters");
        if (raw == null || raw.isBlank()) {
            return Map.of();
        }
        try {
            return JSON.readValue(raw, TypeFactory.defaultInstance().constructMapType(Map.class,
                    TypeFactory.defaultInstance().constructType(String.class),
                    TypeFactory.defaultInstance().constructCollectionType(List.class, String.class)));
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "invalid filters: expected a JSON object of name to list of values, like "
                    + "{\"driver\":[\"bridge\"]}");
        }
    }

    private static <T> T read(Request request, Class<T> type) {
        request.setAttribute(ServerHttp.BODY_READ, Boolean.TRUE);
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                // read on (to a bound) so that the client, still sending, gets to see the answer
                in.skipNBytes(Math.min(Math.max(0, request.getLength() - body.length), ServerHttp.LIMIT));
                throw new ApiException(413, "request body is larger than the limit of " + MAX_BODY + " bytes");
            }
        } catch (IOException e) {
            throw new ApiException(400, "cannot read the request body: " + e.getMessage());
        }
        if (body.length == 0) {
            throw new ApiException(400, "the request needs a JSON body");
        }
        try {
            JsonNode tree = JSON.readTree(body);
            if (tree == null || !tree.isObject()) {
                throw new ApiException(400, "the request body must be a JSON object");
            }
            T value = JSON.treeToValue(tree, type);
            NoNulls.check(value);
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw new ApiException(400, "unknown field \"" + e.getPropertyName() + "\"");
        } catch (MismatchedInputException e) {
            throw new ApiException(400, "field " + fieldPath(e) + ": expected " + expected(e.getTargetType()));
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiException(400, "cannot read the request body: " + e.getMessage());
        }
    }

    private static String fieldPath(MismatchedInputException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "(body)" : sb.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        if (List.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "a " + type.getSimpleName();
    }

    /** The OpenAPI description shipped with weftd (also checked against the routes by a test). */
    public static JsonNode openApi() {
        try (InputStream in = HttpApi.class.getResourceAsStream("/dev/weft/daemon/openapi.json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("the OpenAPI description is missing from weftd's jar", e);
        }
    }


    /** The HTTP status of an engine error of {@code kind}, for weftd's API and its plugin protocols alike. */
    public static int status(WeftException.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case FORBIDDEN -> 403;
            case INVALID_ARGUMENT -> 400;
            case UNAVAILABLE -> 503;
        };
    }

    private static void send(Response response, Callback callback, int status, Object body) {
        response.setStatus(status);
        if (body == null) {
            callback.succeeded();
            return;
        }
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            response.setStatus(500);
            bytes = ("{\"message\":\"cannot encode the reply\"}").getBytes(StandardCharsets.UTF_8);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
    }
}
