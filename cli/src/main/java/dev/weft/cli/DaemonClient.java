package dev.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.http.HttpConnectException;
import dev.weft.http.HttpReply;
import dev.weft.http.HttpRequest;
import dev.weft.http.UnixHttp;

import java.io.IOException;
import java.nio.file.Path;

/**
 * HTTP/1.1 to weftd over its Unix socket through weft's own small client ({@code dev.weft.http},
 * the JDK alone): one request per connection, blocking, so the CLI starts no client library,
 * thread pool, selector or scheduler. A failed request becomes a {@link CliException} carrying
 * weftd's message.
 */
final class DaemonClient implements AutoCloseable {
    private final Path socket;

    DaemonClient(Path socket) {
        this.socket = socket;
    }

    JsonNode get(String path) {
        return call("GET", path, null);
    }

    JsonNode post(String path, JsonNode body) {
        return call("POST", path, body);
    }

    void delete(String path) {
        call("DELETE", path, null);
    }

    private JsonNode call(String method, String path, JsonNode body) {
        byte[] payload = body == null ? null : Json.bytes(body);
        HttpReply r;
        try {
            r = UnixHttp.exchange(socket, HttpRequest.encode(method, path, "weft", "application/json",
                    payload), null);
        } catch (HttpConnectException e) {
            throw new CliException("cannot connect to weftd at unix://" + socket + " (is weftd running? set -H or WEFT_HOST)");
        } catch (IOException e) {
            throw new CliException("talking to weftd at unix://" + socket + " failed: " + e.getMessage());
        }
        JsonNode json;
        try {
            json = Json.read(r.body());
        } catch (IOException e) {
            throw new CliException("unreadable answer from weftd (status " + r.status() + ")");
        }
        if (r.status() >= 400) {
            throw new CliException(json.path("message").asText("weftd answered " + r.status()));
        }
        return json;
    }

    @Override
    public void close() {
        // one connection per request: nothing held between calls
    }
}
