package dev.weft.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.daemon.api.HttpApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI description and the server agree: every documented operation is routed (it never
 * gets the router's "no such API" 404 or a 405), every status it answers with here is documented,
 * and what the server serves at /v1/openapi.json is the same document.
 */
class OpenApiTest {
    private static final Set<String> METHODS = Set.of("get", "post", "delete", "put", "patch");
    private DaemonFixture daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = new DaemonFixture("oapi");
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    @Test
    void everyDocumentedOperationIsServedAndAnswersWithADocumentedStatus() throws Exception {
        JsonNode doc = HttpApi.openApi();
        assertThat(daemon.api.call("GET", "/v1/openapi.json", null).body()).isEqualTo(doc);
        List<String> checked = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            String path = p.getKey().replace("{id}", "nosuch").replace("{service}", "nosuch.net");
            for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (!METHODS.contains(op.getKey())) {
                    continue;
                }
                String method = op.getKey().toUpperCase();
                String body = op.getValue().has("requestBody") ? "{}" : null;
                var reply = daemon.api.call(method, path, body);
                assertThat(reply.message()).as(method + " " + path).doesNotStartWith("no such API");
                assertThat(reply.status()).as(method + " " + path).isNotEqualTo(405);
                assertThat(op.getValue().path("responses").has(Integer.toString(reply.status())))
                        .as("%s %s answered %d (%s), which the description does not list", method, path, reply.status(),
                                reply.message()).isTrue();
                checked.add(method + " " + path);
            }
        }
        assertThat(checked).hasSizeGreaterThanOrEqualTo(18);
    }
}
