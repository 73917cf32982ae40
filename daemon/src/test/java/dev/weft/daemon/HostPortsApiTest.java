package dev.weft.daemon;

import dev.weft.linux.netns.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Published host ports are reserved while published (issue 19, case 4): a port a host process
 * already listens on is refused, and no host process can take a published one until it is released.
 */
class HostPortsApiTest {
    private DaemonFixture daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = new DaemonFixture("hpt");
        assertThat(daemon.api.call("POST", "/v1/networks/create",
                "{\"Name\": \"pn\", \"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.0/24\"}]}}").status()).isEqualTo(201);
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    private ApiClient.Reply run(String name, String port) throws Exception {
        return daemon.api.call("POST", "/v1/containers/create", "{\"Name\": \"" + name + "\", \"Networks\": [\"pn\"],"
                + " \"Ports\": [\"" + port + "\"], \"Cmd\": [\"sleep\", \"300\"]}");
    }

    /** A host process's socket on {@code port} in the test host, or null when the port is taken. */
    private static NetworkChannel bind(Netns host, String protocol, int port) {
        return host.call(() -> {
            try {
                if (protocol.equals("udp")) {
                    return DatagramChannel.open().bind(new InetSocketAddress(port));
                }
                ServerSocketChannel s = ServerSocketChannel.open(); // SO_REUSEADDR on, as servers have it
                return s.bind(new InetSocketAddress(port));
            } catch (IOException e) {
                return null;
            }
        });
    }

    private static boolean free(Netns host, String protocol, int port) throws IOException {
        NetworkChannel c = bind(host, protocol, port);
        if (c != null) {
            c.close();
        }
        return c != null;
    }

    @Test
    void aPortAHostProcessListensOnIsRefusedAndNothingIsLeft() throws Exception {
        try (NetworkChannel server = bind(daemon.host, "tcp", 2222)) {
            assertThat(server).isNotNull();
            var r = run("web", "2222:80");
            assertThat(r.status()).isEqualTo(409);
            assertThat(r.message()).contains("0.0.0.0:2222/tcp").contains("(address already in use)");
            assertThat(daemon.api.call("GET", "/v1/containers", null).body()).isEmpty();
            assertThat(daemon.api.call("GET", "/v1/sandboxes", null).body()).as("rolled back").isEmpty();
            assertThat(daemon.api.call("GET", "/v1/networks/pn", null).body().path("Containers").size()).isZero();
        }
        assertThat(run("web", "2222:80").status()).as("free again").isEqualTo(201);
    }

    @Test
    void aPublishedPortIsHeldUntilRemovedAndTakenAgainAfterARestart() throws Exception {
        assertThat(run("web", "2223:80").status()).isEqualTo(201);
        assertThat(run("dns", "2224:53/udp").status()).isEqualTo(201);
        assertThat(free(daemon.host, "tcp", 2223)).as("a host process cannot take a published TCP port").isFalse();
        assertThat(free(daemon.host, "udp", 2224)).as("nor a published UDP port").isFalse();
        assertThat(free(daemon.host, "tcp", 2224)).as("only the protocol published is held").isTrue();
        var twice = run("web2", "2223:8080");
        assertThat(twice.status()).isEqualTo(409);

        daemon.restart();
        assertThat(free(daemon.host, "tcp", 2223)).as("reserved again after a restart").isFalse();
        assertThat(free(daemon.host, "udp", 2224)).isFalse();

        assertThat(daemon.api.call("DELETE", "/v1/containers/web?force=true", null).status()).isEqualTo(204);
        assertThat(free(daemon.host, "tcp", 2223)).as("rm releases it").isTrue();
        assertThat(daemon.api.call("DELETE", "/v1/containers/dns?force=true", null).status()).isEqualTo(204);
        assertThat(free(daemon.host, "udp", 2224)).isTrue();
    }

    @Test
    void aHostBindingAddressTheHostDoesNotHaveIsRefused() throws Exception {
        assertThat(daemon.api.call("POST", "/v1/networks/create", "{\"Name\": \"hb\", \"IPAM\": {\"Config\": [{\"Subnet\":"
                + " \"203.0.113.0/24\"}]}, \"Options\": {\"com.docker.network.bridge.host_binding_ipv4\": \"192.0.2.99\"}}")
                .status()).isEqualTo(201);
        var r = daemon.api.call("POST", "/v1/containers/create",
                "{\"Name\": \"away\", \"Networks\": [\"hb\"], \"Ports\": [\"8080:80\"], \"Cmd\": [\"sleep\", \"300\"]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.message()).contains("192.0.2.99:8080/tcp").contains("(the host has no such address)");
        assertThat(daemon.api.call("GET", "/v1/sandboxes", null).body()).isEmpty();
    }
}
