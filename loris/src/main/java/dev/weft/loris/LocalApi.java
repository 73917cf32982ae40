package dev.weft.loris;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.http.HttpReply;
import dev.weft.http.HttpRequest;
import dev.weft.http.UnixHttp;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** One GET to a local API over its Unix socket (weftd's, Docker's Engine API), through weft's HTTP client. */
final class LocalApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalApi() {
    }

    /** The JSON body of a 2xx answer, empty on 404; anything else is an error naming the server. */
    static Optional<JsonNode> get(Path socket, String path, String server) {
        HttpReply reply;
        try {
            reply = UnixHttp.exchange(socket, HttpRequest.encode("GET", path, "localhost", "application/json", null),
                    Duration.ofSeconds(30));
        } catch (IOException e) {
            throw new LorisException("cannot reach " + server + " at unix://" + socket + ": " + e.getMessage());
        }
        if (reply.status() == 404) {
            return Optional.empty();
        }
        String body = reply.text();
        try {
            JsonNode json = body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
            if (reply.status() >= 300) {
                throw new LorisException(server + " answered " + reply.status() + ": " + json.path("message").asText(body.trim()));
            }
            return Optional.of(json);
        } catch (IOException e) {
            throw new LorisException("unreadable answer from " + server + " (status " + reply.status() + ")");
        }
    }
}
