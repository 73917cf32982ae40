package dev.weft.daemon;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Sandboxes, connect, disconnect and prune over weftd's socket, with real packets between sandboxes. */
class SandboxesApiTest {
    private DaemonFixture daemon;
    private Weftd weftd;
    private ApiClient api;

    @BeforeEach
    void start() throws Exception {
        daemon = new DaemonFixture("sbx");
        weftd = daemon.weftd;
        api = daemon.api;
        api.call("POST", "/v1/networks/create", "{\"Name\": \"dev\", \"IPAM\": {\"Config\": [{\"Subnet\": \"192.0.2.0/24\"}]}}");
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    private String sandbox(String container) throws Exception {
        var r = api.call("POST", "/v1/sandboxes/create", "{\"ContainerID\": \"" + container + "\", \"Hostname\": \"" + container + "\"}");
        assertThat(r.status()).isEqualTo(201);
        return r.body().path("Key").asText();
    }

    private static boolean ping(String netns, String ip) throws Exception {
        Process p = new ProcessBuilder("nsenter", "--net=" + netns, "ping", "-c", "1", "-W", "1", ip)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor() == 0;
    }

    @Test
    void connectedSandboxesReachEachOtherAndDisconnectRemovesTheEndpoint() throws Exception {
        String web = sandbox("web");
        sandbox("db");
        var connect = api.call("POST", "/v1/networks/dev/connect",
                "{\"Container\": \"web\", \"EndpointConfig\": {\"IPAMConfig\": {\"IPv4Address\": \"192.0.2.10\"}, \"Aliases\": [\"www\"]}}");
        assertThat(connect.status()).as(connect.body().toString()).isEqualTo(200);
        assertThat(api.call("POST", "/v1/networks/dev/connect", "{\"Container\": \"db\"}").status()).isEqualTo(200);

        var net = api.call("GET", "/v1/networks/dev", null).body();
        assertThat(net.path("Containers").path("web").path("IPv4Address").asText()).isEqualTo("192.0.2.10/24");
        assertThat(net.path("Containers").path("db").path("MacAddress").asText()).isEqualTo("02:42:c0:00:02:02");
        assertThat(api.call("GET", "/v1/sandboxes/web", null).body().path("Networks").path("dev").path("IPv4Address").asText())
                .isEqualTo("192.0.2.10/24");
        assertThat(ping(web, "192.0.2.2")).isTrue();

        assertThat(api.call("POST", "/v1/networks/dev/connect", "{\"Container\": \"web\"}").status()).isEqualTo(409);
        assertThat(api.call("POST", "/v1/networks/dev/disconnect", "{\"Container\": \"web\"}").status()).isEqualTo(200);
        assertThat(api.call("GET", "/v1/networks/dev", null).body().path("Containers").has("web")).isFalse();
        assertThat(ping(web, "192.0.2.2")).isFalse();
        var again = api.call("POST", "/v1/networks/dev/disconnect", "{\"Container\": \"web\"}");
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.message()).isEqualTo("container web is not connected to network dev");
    }

    @Test
    void badConnectsAreClearAndLeaveNothing() throws Exception {
        sandbox("web");
        assertThat(api.call("POST", "/v1/networks/dev/connect", "{\"Container\": \"nosuch\"}").status()).isEqualTo(404);
        assertThat(api.call("POST", "/v1/networks/nosuch/connect", "{\"Container\": \"web\"}").status()).isEqualTo(404);
        assertThat(api.call("POST", "/v1/networks/dev/connect", "{}").message()).isEqualTo("the request needs a Container");
        var badIp = api.call("POST", "/v1/networks/dev/connect",
                "{\"Container\": \"web\", \"EndpointConfig\": {\"IPAMConfig\": {\"IPv4Address\": \"192.0.2.999\"}}}");
        assertThat(badIp.status()).isEqualTo(400);
        var outside = api.call("POST", "/v1/networks/dev/connect",
                "{\"Container\": \"web\", \"EndpointConfig\": {\"IPAMConfig\": {\"IPv4Address\": \"198.51.100.9\"}}}");
        assertThat(outside.status()).isEqualTo(400);
        assertThat(outside.message()).contains("in no subnet of network dev");
        assertThat(api.call("GET", "/v1/networks/dev", null).body().path("Containers").size()).isZero();
        assertThat(api.call("POST", "/v1/sandboxes/create", "{\"ContainerID\": \"web\"}").status()).isEqualTo(409);
        assertThat(api.call("POST", "/v1/sandboxes/create", "{}").status()).isEqualTo(400);
    }

    @Test
    void deletingASandboxDisconnectsItAndPruneRemovesUnusedNetworks() throws Exception {
        sandbox("web");
        api.call("POST", "/v1/networks/create", "{\"Name\": \"unused\"}");
        api.call("POST", "/v1/networks/dev/connect", "{\"Container\": \"web\"}");
        var pruned = api.call("POST", "/v1/networks/prune", null);
        assertThat(pruned.body().path("NetworksDeleted")).extracting(n -> n.asText()).containsExactly("unused");
        assertThat(api.call("DELETE", "/v1/sandboxes/web", null).status()).isEqualTo(204);
        assertThat(api.call("GET", "/v1/sandboxes", null).body()).isEmpty();
        assertThat(api.call("GET", "/v1/networks/dev", null).body().path("Containers").size()).isZero();
        assertThat(api.call("GET", "/v1/sandboxes/web", null).status()).isEqualTo(404);
    }
}
