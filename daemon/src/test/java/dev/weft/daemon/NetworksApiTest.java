package dev.weft.daemon;

import dev.weft.daemon.kernel.HostKernel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** The networks API over weftd's Unix socket, with weftd working inside a throwaway host namespace. */
class NetworksApiTest {
    private DaemonFixture daemon;
    private Weftd weftd;
    private ApiClient api;

    @BeforeEach
    void start() throws Exception {
        daemon = new DaemonFixture("api");
        weftd = daemon.weftd;
        api = daemon.api;
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    private static String filters(String json) {
        return "?filters=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    @Test
    void createInspectListAndDelete() throws Exception {
        var created = api.call("POST", "/v1/networks/create", """
                {"Name": "front", "Driver": "bridge", "Labels": {"team": "web"},
                 "IPAM": {"Driver": "default", "Config": [{"Subnet": "192.0.2.0/24", "IPRange": "192.0.2.128/25",
                          "Gateway": "192.0.2.1", "AuxiliaryAddresses": {"router": "192.0.2.254"}}]},
                 "Options": {"com.docker.network.bridge.name": "wbfront"}, "Attachable": true}""");
        assertThat(created.status()).isEqualTo(201);
        String id = created.body().path("Id").asText();
        assertThat(id).hasSize(64);

        var inspect = api.call("GET", "/v1/networks/front", null);
        assertThat(inspect.status()).isEqualTo(200);
        assertThat(inspect.body().path("Id").asText()).isEqualTo(id);
        assertThat(inspect.body().path("Driver").asText()).isEqualTo("bridge");
        assertThat(inspect.body().path("Scope").asText()).isEqualTo("local");
        assertThat(inspect.body().path("IPAM").path("Config").get(0).path("Subnet").asText()).isEqualTo("192.0.2.0/24");
        assertThat(inspect.body().path("IPAM").path("Config").get(0).path("IPRange").asText()).isEqualTo("192.0.2.128/25");
        assertThat(inspect.body().path("IPAM").path("Config").get(0).path("Gateway").asText()).isEqualTo("192.0.2.1");
        assertThat(inspect.body().path("IPAM").path("Config").get(0).path("AuxiliaryAddresses").path("router").asText())
                .isEqualTo("192.0.2.254");
        assertThat(inspect.body().path("Labels").path("team").asText()).isEqualTo("web");
        assertThat(api.call("GET", "/v1/networks/" + id.substring(0, 12), null).status()).as("by id prefix").isEqualTo(200);
        assertThat(api.call("GET", "/v1/networks/" + id, null).status()).as("by full id").isEqualTo(200);

        api.call("POST", "/v1/networks/create", "{\"Name\": \"back\", \"Internal\": true}");
        assertThat(api.call("GET", "/v1/networks", null).body()).hasSize(2);
        assertThat(api.call("GET", "/v1/networks" + filters("{\"label\":[\"team=web\"]}"), null).body())
                .singleElement().satisfies(n -> assertThat(n.path("Name").asText()).isEqualTo("front"));
        assertThat(api.call("GET", "/v1/networks" + filters("{\"name\":[\"ba\"]}"), null).body())
                .singleElement().satisfies(n -> assertThat(n.path("Internal").asBoolean()).isTrue());

        assertThat(api.call("DELETE", "/v1/networks/front", null).status()).isEqualTo(204);
        assertThat(api.call("GET", "/v1/networks/front", null).status()).isEqualTo(404);
    }

    @Test
    void badInputIsA4xxWithAMessageAndChangesNothing() throws Exception {
        assertThat(api.call("POST", "/v1/networks/create", "{\"Name\": \"x\",").status()).isEqualTo(400);
        var wrongType = api.call("POST", "/v1/networks/create", "{\"Name\": 42}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.message()).isEqualTo("field Name: expected a string");
        var nestedType = api.call("POST", "/v1/networks/create", "{\"Name\": \"x\", \"IPAM\": {\"Config\": {\"Subnet\": 1}}}");
        assertThat(nestedType.status()).isEqualTo(400);
        assertThat(nestedType.message()).isEqualTo("field IPAM.Config: expected an array");
        assertThat(api.call("POST", "/v1/networks/create", "{\"Name\": \"x\", \"Drvier\": \"bridge\"}").message())
                .isEqualTo("unknown field \"Drvier\"");
        assertThat(api.call("POST", "/v1/networks/create", "[]").message()).isEqualTo("the request body must be a JSON object");
        assertThat(api.call("POST", "/v1/networks/create", "{}").message()).isEqualTo("a network needs a Name");
        var badSubnet = api.call("POST", "/v1/networks/create",
                "{\"Name\": \"x\", \"IPAM\": {\"Config\": [{\"Subnet\": \"192.0.2.300/24\"}]}}");
        assertThat(badSubnet.status()).isEqualTo(400);
        assertThat(badSubnet.message()).contains("Subnet").contains("192.0.2.300");
        assertThat(api.call("POST", "/v1/networks/create", "{\"Name\": \"x\", \"Driver\": \"nosuch\"}").status()).isEqualTo(404);
        assertThat(api.call("POST", "/v1/networks/create",
                "{\"Name\": \"x\", \"Options\": {\"com.docker.network.bridge.enable_icc\": \"maybe\"}}").status()).isEqualTo(400);
        assertThat(api.call("GET", "/v1/networks" + filters("{\"colour\":[\"red\"]}"), null).status()).isEqualTo(400);
        assertThat(api.call("GET", "/v1/networks?filters=notjson", null).status()).isEqualTo(400);
        assertThat(api.call("PUT", "/v1/networks/x", "{}").status()).isEqualTo(405);
        assertThat(api.call("GET", "/v1/nothing", null).status()).isEqualTo(404);
        var huge = api.call("POST", "/v1/networks/create", "{\"Name\": \"" + "x".repeat(2 << 20) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(api.call("GET", "/v1/networks", null).body()).isEmpty();
    }

    @Test
    void conflictsAreA409() throws Exception {
        String body = "{\"Name\": \"prod\", \"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.0/24\"}]}}";
        assertThat(api.call("POST", "/v1/networks/create", body).status()).isEqualTo(201);
        var again = api.call("POST", "/v1/networks/create", body);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.message()).startsWith("network prod already exists");
        var overlap = api.call("POST", "/v1/networks/create",
                "{\"Name\": \"other\", \"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.128/25\"}]}}");
        assertThat(overlap.status()).isEqualTo(409);
        assertThat(overlap.message()).contains("overlaps 198.51.100.0/24");
        weftd.controller().network("prod").createEndpoint("db1");
        var busy = api.call("DELETE", "/v1/networks/prod", null);
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.message()).isEqualTo("network prod has active endpoints: db1");
    }

    @Test
    void theSocketIsOwnerAndGroupOnlyAndASecondWeftdIsRefused() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(weftd.socket()))).isEqualTo("rw-rw----");
        assertThat(api.call("GET", "/v1/_ping", null).status()).isEqualTo(200);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Weftd.start(new WeftdOptions(daemon.runDir.path().resolve("other.sock"),
                        daemon.runDir.path().resolve("data"), daemon.runDir.path().resolve("run"), "info"), HostKernel.thisProcess()))
                .hasMessageContaining("is another weftd running on this data directory?");
        assertThat(Files.exists(daemon.runDir.path().resolve("other.sock"))).isFalse();
    }
}
