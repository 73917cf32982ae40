package dev.weft.daemon.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.daemon.api.HttpApi;
import dev.weft.engine.WeftException;
import dev.weft.store.StoreException;
import org.eclipse.jetty.http.HttpFields;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /v1/cni}: one CNI call from the shim (weft's plugin executable). The CNI_* variables
 * come as headers (CNI-Command, CNI-ContainerID, CNI-Netns, CNI-Ifname, CNI-Args, CNI-Path), the
 * configuration as the body. The answer is 200 with what the plugin prints on stdout, or an
 * error status with the specification's error object ({@code cniVersion, code, msg, details}),
 * which the shim prints before exiting 1. Other paths go to the next handler.
 */
public final class CniHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(CniHandler.class);
    private final CniPlugin plugin;

    public CniHandler(CniPlugin plugin) {
        this.plugin = plugin;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!Request.getPathInContext(request).equals("/v1/cni")) {
            return false;
        }
        byte[] body = new byte[0];
        String command = request.getHeaders().get("CNI-Command");
        try {
            if (!request.getMethod().equals("POST")) {
                send(response, callback, 405, error("1.1.0", new CniError(CniError.INVALID_ENVIRONMENT, "POST only", "")));
                return true;
            }
            body = read(request);
            HttpFields h = request.getHeaders();
            CniRequest req = CniRequest.of(command, h.get("CNI-ContainerID"), h.get("CNI-Netns"), h.get("CNI-Ifname"),
                    h.get("CNI-Args"), h.get("CNI-Path"), body);
            long start = System.nanoTime();
            String out = plugin.handle(req);
            LOG.debug("CNI {} {} {}: {} µs", command, req.containerId(), req.ifname(), (System.nanoTime() - start) / 1000);
            send(response, callback, 200, out);
        } catch (CniError e) {
            LOG.info("CNI {}: error {}: {}: {}", command, e.code(), e.getMessage(), e.details());
            send(response, callback, status(e.code()), error(version(body), e));
        } catch (WeftException e) {
            CniError c = switch (e.kind()) {
                case CONFLICT -> new CniError(CniError.IN_USE, "already exists or in use", e.getMessage());
                case UNAVAILABLE -> new CniError(CniError.TRY_AGAIN_LATER, "try again later", e.getMessage());
                default -> CniError.config(e.getMessage());
            };
            LOG.info("CNI {}: {}", command, e.getMessage());
            send(response, callback, status(c.code()), error(version(body), c));
        } catch (StoreException e) {
            LOG.warn("CNI {}: {}", command, e.getMessage());
            send(response, callback, 503, error(version(body), new CniError(CniError.TRY_AGAIN_LATER, "try again later",
                    "weft's store: " + e.getMessage())));
        } catch (RuntimeException e) {
            LOG.error("CNI {} failed", command, e);
            send(response, callback, 500, error(version(body), new CniError(CniError.INTERNAL, "internal error",
                    String.valueOf(e.getMessage()))));
        }
        return true;
    }

    private static byte[] read(Request request) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] b = in.readNBytes(HttpApi.MAX_BODY + 1);
            if (b.length > HttpApi.MAX_BODY) {
                throw new CniError(CniError.IO_FAILURE, "I/O failure", "the configuration is larger than " + HttpApi.MAX_BODY + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "I/O failure", "cannot read the configuration: " + e.getMessage());
        }
    }

    private static int status(int code) {
        return switch (code) {
            case CniError.TRY_AGAIN_LATER -> 503;
            case CniError.INTERNAL -> 500;
            case CniError.NOT_AS_EXPECTED, CniError.IN_USE -> 409;
            default -> 400;
        };
    }

    /** The cniVersion of the request, for the error object; 1.1.0 when it has none that can be read. */
    private static String version(byte[] body) {
        try {
            JsonNode n = CniConfig.JSON.readTree(body);
            if (n != null && n.path("cniVersion").isTextual()) {
                return n.get("cniVersion").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the error says so
        }
        return "1.1.0";
    }

    private static String error(String version, CniError e) {
        ObjectNode o = CniConfig.JSON.createObjectNode();
        o.put("cniVersion", version).put("code", e.code()).put("msg", e.getMessage()).put("details", e.details());
        return o.toString();
    }

    private static void send(Response response, Callback callback, int status, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
