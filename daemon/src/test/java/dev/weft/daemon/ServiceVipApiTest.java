package dev.weft.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.linux.netns.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service published as a virtual IP over the API: containers attach as its backends, the
 * embedded DNS answers the virtual IP for the service and every backend for tasks.SVC, new
 * connections from another container reach every backend, and a detached backend none.
 */
class ServiceVipApiTest {
    private DaemonFixture daemon;
    private ApiClient api;
    private final List<Netns> namespaces = new ArrayList<>();
    private final List<ServerSocketChannel> servers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        daemon = new DaemonFixture("vipa");
        api = daemon.api;
        api.call("POST", "/v1/networks/create", "{\"Name\": \"dev\", \"IPAM\": {\"Config\": [{\"Subnet\": \"192.0.2.0/24\"}]}}");
    }

    @AfterEach
    void stop() throws Exception {
        for (ServerSocketChannel s : servers) {
            s.close();
        }
        namespaces.forEach(Netns::close);
        daemon.close();
    }

    private String container(String id) throws Exception {
        return api.call("POST", "/v1/sandboxes/create", "{\"ContainerID\": \"" + id + "\"}").body().path("Key").asText();
    }

    /** A server on port 8080 in the namespace that says {@code name} to each connection. */
    private void serve(String netns, String name) {
        Netns ns = Netns.open(Path.of(netns));
        namespaces.add(ns);
        ServerSocketChannel server = ns.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(8080)));
        servers.add(server);
        Thread.ofPlatform().daemon().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    c.write(ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private static Map<String, Integer> connect(String netns, String ip, int count) {
        Map<String, Integer> answers = new TreeMap<>();
        try (Netns ns = Netns.open(Path.of(netns))) {
            for (int i = 0; i < count; i++) {
                String name;
                try (SocketChannel c = ns.call(SocketChannel::open)) {
                    c.socket().connect(new InetSocketAddress(ip, 8080), 2000);
                    c.socket().setSoTimeout(2000);
                    name = new String(c.socket().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    name = "failed";
                }
                answers.merge(name, 1, Integer::sum);
            }
        }
        return answers;
    }

    private static List<String> addresses(JsonNode services, String... names) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : services) {
            if (List.of(names).contains(s.path("Name").asText())) {
                out.add(s.path("IPv4Address").asText().split("/")[0]);
            }
        }
        return out;
    }

    @Test
    void backendsBehindAVirtualIpAreBalancedAndResolved() throws Exception {
        var published = api.call("POST", "/v1/services/publish", "{\"Name\": \"web\", \"Network\": \"dev\", \"VirtualIP\": true}");
        assertThat(published.status()).isEqualTo(201);
        assertThat(published.body().path("VirtualIP").asBoolean()).isTrue();
        String vip = published.body().path("IPv4Address").asText().split("/")[0];
        String client = container("c0");
        assertThat(api.call("POST", "/v1/networks/dev/connect", "{\"Container\": \"c0\"}").status()).isEqualTo(200);
        for (String c : List.of("c1", "c2", "c3")) {
            String ns = container(c);
            assertThat(api.call("POST", "/v1/services/web.dev/attach", "{\"Container\": \"" + c + "\"}").status()).isEqualTo(200);
            serve(ns, c);
        }
        JsonNode info = api.call("GET", "/v1/services/web.dev", null).body();
        assertThat(info.path("Backends").toString()).isEqualTo("[\"c1\",\"c2\",\"c3\"]");
        assertThat(info.path("Container").isNull()).isTrue();
        JsonNode all = api.call("GET", "/v1/services?network=dev", null).body();

        assertThat(DnsQuery.answers(DnsQuery.query(client, "web.", Type.A, false))).containsExactly(vip);
        assertThat(DnsQuery.answers(DnsQuery.query(client, "web.dev.", Type.A, false))).containsExactly(vip);
        assertThat(DnsQuery.answers(DnsQuery.query(client, "tasks.web.", Type.A, false)))
                .containsExactlyInAnyOrderElementsOf(addresses(all, "c1", "c2", "c3"));

        Map<String, Integer> answers = connect(client, vip, 300);
        assertThat(answers.keySet()).as(answers.toString()).containsExactly("c1", "c2", "c3");
        answers.values().forEach(n -> assertThat(n).as(answers.toString()).isBetween(80, 120));

        assertThat(api.call("POST", "/v1/services/web.dev/detach", "{\"Container\": \"c2\"}").status()).isEqualTo(200);
        Map<String, Integer> after = connect(client, vip, 100);
        assertThat(after.keySet()).as("c2 detached: " + after).containsExactly("c1", "c3");
        assertThat(DnsQuery.answers(DnsQuery.query(client, "tasks.web.dev.", Type.A, false)))
                .containsExactlyInAnyOrderElementsOf(addresses(all, "c1", "c3"));

        var again = api.call("POST", "/v1/services/web.dev/detach", "{\"Container\": \"c2\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.message()).isEqualTo("container c2 is no backend of service web.dev");
        var onNet = api.call("POST", "/v1/services/web.dev/attach", "{\"Container\": \"c0\"}");
        assertThat(onNet.status()).isEqualTo(409);
        assertThat(onNet.message()).isEqualTo("container c0 is already on network dev; a backend of web.dev joins the network through the service");

        var run = api.call("POST", "/v1/containers/create",
                "{\"Name\": \"c4\", \"PublishService\": \"web.dev\", \"Cmd\": [\"sleep\", \"600\"]}");
        assertThat(run.status()).as(run.body().toString()).isEqualTo(201);
        assertThat(api.call("GET", "/v1/services/web.dev", null).body().path("Backends").toString())
                .as("a container run with the service as one more backend").isEqualTo("[\"c1\",\"c3\",\"c4\"]");
        assertThat(connect(client, vip, 30).keySet()).as("c4 runs no server: its connections are refused")
                .containsExactly("c1", "c3", "failed");
        assertThat(api.call("DELETE", "/v1/containers/c4?force=true", null).status()).isEqualTo(204);
        assertThat(api.call("GET", "/v1/services/web.dev", null).body().path("Backends").toString()).isEqualTo("[\"c1\",\"c3\"]");

        assertThat(api.call("DELETE", "/v1/services/web.dev", null).status()).as("a virtual IP is never attached").isEqualTo(204);
        assertThat(connect(client, vip, 1)).as("the virtual IP is gone").containsOnlyKeys("failed");
        assertThat(api.call("GET", "/v1/networks/dev", null).body().toString()).as("its backends stay on the network")
                .contains("c1", "c3");
    }
}
