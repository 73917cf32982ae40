package dev.weft.engine.driver.bridge;

import dev.weft.engine.Controller;
import dev.weft.engine.ControllerFixture;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.PortBinding;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.WeftException;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.SimulatedHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Masquerade, isolation, ICC, internal networks and published ports, with real packets, on two
 * simulated hosts: the controller runs on the first (203.0.113.1), whose default route leads to
 * the second (203.0.113.2), the "outside".
 */
class BridgeFirewallTest {
    private static final String HOST = "203.0.113.1";
    private static final String OUTSIDE = "203.0.113.2";
    private SimulatedHosts hosts;
    private ControllerFixture fixture;
    private Netns host;
    private Netns outside;
    private Controller controller;
    private final Probes probes = new Probes();

    @BeforeEach
    void start() {
        hosts = SimulatedHosts.create(2, IpPrefix.parse("203.0.113.0/24"), 1500);
        host = hosts.get(0).netns();
        outside = hosts.get(1).netns();
        try (Rtnetlink h = Rtnetlink.open(host)) {
            h.routes().add(Route.defaultVia(IpPrefix.parseAddress(OUTSIDE)));
        }
        fixture = new ControllerFixture(host, h -> List.of(new BridgeDriver(h)));
        controller = fixture.controller();
    }

    @AfterEach
    void stop() throws Exception {
        probes.close();
        fixture.close();
        hosts.close();
    }

    private Sandbox container(Network net, String name, EndpointOptions options) {
        Sandbox sb = controller.newSandbox(name, SandboxOptions.named(name));
        net.createEndpoint(name, options).join(sb);
        return sb;
    }

    private Sandbox container(Network net, String name) {
        return container(net, name, EndpointOptions.none());
    }

    private Network bridge(String name, String subnet, Map<String, String> options) {
        return controller.newNetwork(NetworkConfig.of(name, "bridge").withIpv4(IpamConfig.subnet(subnet)).withOptions(options));
    }

    private static boolean ping(Sandbox from, String to) {
        return Probes.ping(from, to);
    }

    private void server(Netns ns, int port) {
        probes.server(ns, port);
    }

    private static String connect(Netns ns, String ip, int port) {
        return Probes.connect(ns, ip, port);
    }

    @Test
    void trafficLeavingTheHostIsMasqueraded() {
        Network net = bridge("nat", "192.0.2.0/24", Map.of());
        Sandbox a = container(net, "a");
        server(outside, 7000);
        try (Netns ns = Netns.open(a.netnsPath())) {
            assertThat(connect(ns, OUTSIDE, 7000)).as("the outside sees the host's address").isEqualTo(HOST);
        }
    }

    @Test
    void withoutMasqueradeTheOutsideCannotAnswer() {
        Network net = bridge("plain", "192.0.2.0/24", Map.of("com.docker.network.bridge.enable_ip_masquerade", "false"));
        Sandbox a = container(net, "a");
        assertThat(ping(a, OUTSIDE)).isFalse();
        assertThat(ping(a, "192.0.2.1")).isTrue();
    }

    @Test
    void differentBridgeNetworksCannotReachEachOther() {
        Network n1 = bridge("n1", "192.0.2.0/24", Map.of());
        Network n2 = bridge("n2", "198.51.100.0/24", Map.of());
        Sandbox a = container(n1, "a");
        container(n2, "b");
        assertThat(ping(a, IpPrefix.format(n2.endpoint("b").ipv4().address()))).isFalse();
        assertThat(ping(a, OUTSIDE)).as("while the outside stays reachable").isTrue();
    }

    @Test
    void iccOffBlocksContainerToContainerButNotTheGateway() {
        Network net = bridge("noicc", "192.0.2.0/24", Map.of("com.docker.network.bridge.enable_icc", "false"));
        Sandbox a = container(net, "a");
        container(net, "b");
        assertThat(ping(a, IpPrefix.format(net.endpoint("b").ipv4().address()))).isFalse();
        assertThat(ping(a, "192.0.2.1")).isTrue();
        Network open = bridge("icc", "198.51.100.0/24", Map.of());
        Sandbox c = container(open, "c");
        container(open, "d");
        assertThat(ping(c, IpPrefix.format(open.endpoint("d").ipv4().address()))).isTrue();
    }

    @Test
    void internalNetworksReachOnlyEachOther() {
        Network net = controller.newNetwork(NetworkConfig.of("inside", "bridge").asInternal()
                .withIpv4(IpamConfig.subnet("192.0.2.0/24")));
        Sandbox a = container(net, "a");
        container(net, "b");
        assertThat(ping(a, IpPrefix.format(net.endpoint("b").ipv4().address()))).isTrue();
        try (Netns ns = Netns.open(a.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
            nl.routes().add(Route.defaultVia(IpPrefix.parseAddress("192.0.2.1"))); // even with a route out
        }
        assertThat(ping(a, OUTSIDE)).isFalse();
    }

    @Test
    void publishedPortsReachTheContainerFromOutsideFromTheHostAndFromItself() {
        Network net = bridge("web", "192.0.2.0/24", Map.of());
        Sandbox web = container(net, "web", EndpointOptions.publishing(PortBinding.parse("8080:80")));
        try (Netns ns = Netns.open(web.netnsPath())) {
            server(ns, 80);
            assertThat(connect(outside, HOST, 8080)).as("from another namespace").isEqualTo(OUTSIDE);
            assertThat(connect(host, HOST, 8080)).as("from the host itself").isNotNull();
            assertThat(connect(ns, HOST, 8080)).as("hairpin: the container reaches its own published port")
                    .isEqualTo("192.0.2.1");
            assertThat(connect(outside, HOST, 8081)).as("an unpublished port").isNull();
        }
        net.endpoint("web").leave(web);
        assertThat(connect(outside, HOST, 8080)).as("unpublished on leave").isNull();
    }

    @Test
    void portsOnOneHostAddressAndUdpRanges() {
        Network net = bridge("web", "192.0.2.0/24", Map.of());
        List<PortBinding> ports = new ArrayList<>(PortBinding.parse(HOST + ":9090:90"));
        ports.addAll(PortBinding.parse("5000-5001:5000-5001/udp"));
        Sandbox web = container(net, "web", EndpointOptions.publishing(ports));
        try (Netns ns = Netns.open(web.netnsPath())) {
            server(ns, 90);
            assertThat(connect(outside, HOST, 9090)).isEqualTo(OUTSIDE);
            assertThat(connect(host, "192.0.2.1", 9090)).as("bound to 203.0.113.2 only").isNull();
        }
        assertThatThrownBy(() -> net.createEndpoint("other", EndpointOptions.publishing(PortBinding.parse("9090:90"))))
                .hasMessageContaining("host port 9090/tcp is already published by endpoint web")
                .extracting(e -> ((WeftException) e).kind()).isEqualTo(WeftException.Kind.CONFLICT);
    }

    @Test
    void theNetworksHostBindingAddressAppliesToPortsWithoutOne() {
        Network net = bridge("bound", "192.0.2.0/24", Map.of("com.docker.network.bridge.host_binding_ipv4", HOST));
        Sandbox web = container(net, "web", EndpointOptions.publishing(PortBinding.parse("8080:80")));
        try (Netns ns = Netns.open(web.netnsPath())) {
            server(ns, 80);
            assertThat(connect(outside, HOST, 8080)).isEqualTo(OUTSIDE);
            assertThat(connect(host, "192.0.2.1", 8080)).as("not published on the bridge's address").isNull();
        }
    }

    @Test
    void theTableIsRebuiltByARestartAndRemovedWithTheLastNetwork() {
        Network net = bridge("web", "192.0.2.0/24", Map.of());
        Sandbox web = container(net, "web", EndpointOptions.publishing(PortBinding.parse("8080:80")));
        fixture.stop();
        dev.weft.linux.Shell.run("ip", "netns", "exec", host.name(), "nft", "delete", "table", "inet", "weft");
        controller = fixture.restart();
        try (Netns ns = Netns.open(web.netnsPath())) {
            server(ns, 80);
            assertThat(connect(outside, HOST, 8080)).isEqualTo(OUTSIDE);
        }
        Network again = controller.network("web");
        Sandbox sb = controller.sandbox("web");
        again.endpoint("web").leave(sb);
        again.endpoint("web").delete();
        sb.delete();
        again.delete();
        assertThat(dev.weft.linux.Shell.run("ip", "netns", "exec", host.name(), "nft", "list", "tables")).doesNotContain("weft");
    }
}
