package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.io.Transport;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** HTTP to weftd over its Unix socket; a failed request becomes a {@link CliException} with weftd's message. */
final class DaemonClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = new HttpClient();
    private final Path socket;
    private final Transport transport;

    DaemonClient(Path socket) {
        this.socket = socket;
        this.transport = new Transport.TCPUnix(socket);
        try {
            http.start();
        } catch (Exception e) {
            throw new CliException("cannot start the HTTP client: " + e.getMessage());
        }
    }

    JsonNode get(String path) {
        return call("GET", path, null);
    }

    JsonNode post(String path, Object body) {
        return call("POST", path, body);
    }

    void delete(String path) {
        call("DELETE", path, null);
    }

    private JsonNode call(String method, String path, Object body) {
        try {
            var request = http.newRequest("http://weft" + path).method(method).transport(transport)
                    .timeout(120, TimeUnit.SECONDS);
            if (body != null) {
                request.body(new StringRequestContent("application/json", JSON.writeValueAsString(body)));
            }
            ContentResponse r = request.send();
            String text = r.getContentAsString();
            JsonNode json = text == null || text.isBlank() ? JSON.nullNode() : JSON.readTree(text);
            if (r.getStatus() >= 400) {
                throw new CliException(json.path("message").asText("weftd answered " + r.getStatus()));
            }
            return json;
        } catch (ExecutionException e) {
            throw new CliException("cannot connect to weftd at unix://" + socket + " (is weftd running? set -H or WEFT_HOST)");
        } catch (TimeoutException e) {
            throw new CliException("weftd at unix://" + socket + " did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        } catch (java.io.IOException e) {
            throw new CliException("unreadable answer from weftd: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception ignored) {
            // nothing to keep
        }
    }
}
