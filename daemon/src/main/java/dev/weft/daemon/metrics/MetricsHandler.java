package dev.weft.daemon.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Serves {@code GET /metrics} in Prometheus's text format (version 0.0.4), written by the
 * Prometheus client's own writer; any other path it leaves to the next handler.
 */
public final class MetricsHandler extends Handler.Abstract {
    public static final String PATH = "/metrics";
    private final WeftMetrics metrics;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public MetricsHandler(WeftMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!PATH.equals(Request.getPathInContext(request))) {
            return false;
        }
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            reply(response, callback, 405, "application/json",
                    "{\"message\":\"" + request.getMethod() + " is not allowed here (GET)\"}");
            return true;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 10);
        try {
            writer.write(out, metrics.registry().scrape());
        } catch (IOException | RuntimeException e) {
            reply(response, callback, 500, "application/json",
                    "{\"message\":\"cannot collect the metrics: " + e.getMessage().replace("\"", "'") + "\"}");
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, writer.getContentType());
        response.write(true, ByteBuffer.wrap(out.toByteArray()), callback);
        return true;
    }

    private static void reply(Response response, Callback callback, int status, String type, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
