package dev.weft.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.io.Transport;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A test client for weftd's API over its Unix socket. */
final class ApiClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = new HttpClient();
    private final Transport transport;

    record Reply(int status, JsonNode body) {
        String message() {
            return body.path("message").asText();
        }
    }

    ApiClient(Path socket) throws Exception {
        transport = new Transport.TCPUnix(socket);
        http.start();
    }

    Reply call(String method, String path, String body) throws Exception {
        ContentResponse r = send(method, path, body);
        String text = r.getContentAsString();
        if (text != null && "text/plain".equals(r.getMediaType())) {
            return new Reply(r.getStatus(), JSON.getNodeFactory().textNode(text)); // /metrics
        }
        return new Reply(r.getStatus(), text == null || text.isEmpty() ? JSON.nullNode() : JSON.readTree(text));
    }

    /** The answer as it came, whatever its body. */
    ContentResponse send(String method, String path, String body) throws Exception {
        var request = http.newRequest("http://weftd" + path).method(method).transport(transport).timeout(30, TimeUnit.SECONDS);
        if (body != null) {
            request.body(new StringRequestContent("application/json", body));
        }
        return request.send();
    }

    @Override
    public void close() throws Exception {
        http.stop();
    }
}
