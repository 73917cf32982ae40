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
import dev.weft.linux.Shell;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.SimulatedHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.weft.engine.driver.bridge.Probes.connect;
import static dev.weft.engine.driver.bridge.Probes.eventually;
import static dev.weft.engine.driver.bridge.Probes.ping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Gateway modes, the direct routing filter and the bridge MTU, with real packets: the controller
 * runs on a simulated host (203.0.113.1, uplink eth0 with MTU 1450, default route via the peer)
 * whose peer on the same link (203.0.113.2) plays another machine that routes the container
 * subnet straight to the host's uplink address. Each container serves TCP on port 80 (published
 * as host port 8080) and 81 (not published); the servers answer with the source address they
 * saw.
 */
class GatewayModeTest {
    private static final String HOST = "203.0.113.1";
    private static final String PEER = "203.0.113.2";
    private static final String SUBNET = "192.0.2.0/24";
    private static final String CONTAINER = "192.0.2.2";
    private static final int UPLINK_MTU = 1450;
    private SimulatedHosts hosts;
    private ControllerFixture fixture;
    private Netns host;
    private Netns peer;
    private Controller controller;
    private final Probes probes = new Probes();

    @BeforeEach
    void start() {
        hosts = SimulatedHosts.create(2, IpPrefix.parse("203.0.113.0/24"), UPLINK_MTU);
        host = hosts.get(0).netns();
        peer = hosts.get(1).netns();
        try (Rtnetlink h = Rtnetlink.open(host); Rtnetlink p = Rtnetlink.open(peer)) {
            h.routes().add(Route.defaultVia(IpPrefix.parseAddress(PEER)));
            p.routes().add(Route.via(IpPrefix.parse(SUBNET), IpPrefix.parseAddress(HOST)));
        }
        fixture = new ControllerFixture(host, h -> List.of(new BridgeDriver(h)));
        controller = fixture.controller();
        probes.server(peer, 7000);
    }

    @AfterEach
    void stop() throws Exception {
        probes.close();
        fixture.close();
        hosts.close();
    }

    private Network network(String name, Map<String, String> options) {
        return controller.newNetwork(NetworkConfig.of(name, "bridge").withIpv4(IpamConfig.subnet(SUBNET)).withOptions(options));
    }

    /** A container publishing port 80 as host port 8080, serving on 80 and 81. */
    private Sandbox web(Network net) {
        Sandbox sb = controller.newSandbox("web", SandboxOptions.named("web"));
        net.createEndpoint("web", EndpointOptions.publishing(PortBinding.parse("8080:80"))).join(sb);
        assertThat(IpPrefix.format(net.endpoint("web").ipv4().address())).isEqualTo(CONTAINER);
        probes.servers(sb, 80, 81);
        return sb;
    }

    @Test
    void natDropsDirectRoutingButToPublishedPortsAndMasquerades() {
        Sandbox web = web(network("nat", Map.of()));
        assertThat(connect(peer, CONTAINER, 80)).as("a published port, routed directly: the peer's own address")
                .isEqualTo(PEER);
        assertThat(connect(peer, CONTAINER, 81)).as("an unpublished port, routed directly").isNull();
        assertThat(ping(peer, CONTAINER)).as("ICMP, routed directly").isFalse();
        assertThat(connect(peer, HOST, 8080)).as("the host port").isEqualTo(PEER);
        assertThat(connect(host, CONTAINER, 81)).as("from the host itself every port").isEqualTo("192.0.2.1");
        assertThat(connect(web, PEER, 7000)).as("leaving: masqueraded").isEqualTo(HOST);
    }

    @Test
    void trustedHostInterfacesPassTheFilter() {
        Sandbox web = web(network("trusting", Map.of("com.docker.network.bridge.trusted_host_interfaces", "eth9:eth0")));
        assertThat(connect(peer, CONTAINER, 81)).isEqualTo(PEER);
        assertThat(ping(peer, CONTAINER)).isTrue();
        assertThat(connect(web, PEER, 7000)).as("still nat").isEqualTo(HOST);
    }

    @Test
    void onlyTheNamedInterfacesAreTrusted() {
        web(network("others", Map.of("com.docker.network.bridge.trusted_host_interfaces", "eth9:eth8")));
        assertThat(connect(peer, CONTAINER, 81)).as("eth0 is not trusted").isNull();
        assertThat(connect(peer, CONTAINER, 80)).isEqualTo(PEER);
    }

    @Test
    void natUnprotectedHasNoFilter() {
        Sandbox web = web(network("open", Map.of("com.docker.network.bridge.gateway_mode_ipv4", "nat-unprotected")));
        assertThat(connect(peer, CONTAINER, 81)).isEqualTo(PEER);
        assertThat(ping(peer, CONTAINER)).isTrue();
        assertThat(connect(peer, HOST, 8080)).isEqualTo(PEER);
        assertThat(connect(web, PEER, 7000)).as("masqueraded").isEqualTo(HOST);
    }

    @Test
    void routedOpensPublishedContainerPortsWithoutMasqueradeOrHostPorts() throws Exception {
        Sandbox web = web(network("routed", Map.of("com.docker.network.bridge.gateway_mode_ipv4", "routed")));
        assertThat(connect(peer, CONTAINER, 80)).isEqualTo(PEER);
        assertThat(connect(peer, CONTAINER, 81)).as("not published").isNull();
        assertThat(ping(peer, CONTAINER)).as("ICMP is let through").isTrue();
        assertThat(connect(web, PEER, 7000)).as("no masquerade: the container's own address").isEqualTo(CONTAINER);
        assertThat(connect(peer, HOST, 8080)).as("the host port is not used").isNull();
        try (ServerSocketChannel s = host.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(8080)))) {
            assertThat(s.isOpen()).as("nor reserved: a host process may take it").isTrue();
        }
        Sandbox other = controller.newSandbox("other", SandboxOptions.named("other"));
        controller.network("routed").createEndpoint("other", EndpointOptions.publishing(PortBinding.parse("8080:80"))).join(other);
        probes.servers(other, 80);
        assertThat(connect(peer, "192.0.2.3", 80)).as("nor claimed: another container publishes 8080:80 too").isEqualTo(PEER);

        fixture.stop(); // the table is rebuilt from the records, direct routing filter included
        Shell.run("ip", "netns", "exec", host.name(), "nft", "delete", "table", "inet", "weft");
        controller = fixture.restart();
        assertThat(connect(peer, CONTAINER, 80)).isEqualTo(PEER);
        assertThat(connect(peer, CONTAINER, 81)).isNull();
    }

    /**
     * Each family has its own mode: IPv6 nat-unprotected beside IPv4 nat on one network. The
     * peer routes the IPv6 subnet via the host's IPv6 uplink address (the host forwards IPv6).
     */
    @Test
    void eachFamilyFollowsItsOwnMode() throws Exception {
        String v6 = dualStackWeb(Map.of("com.docker.network.bridge.gateway_mode_ipv6", "nat-unprotected"));
        assertThat(eventually(() -> connect(peer, v6, 81))).as("IPv6: unfiltered").isNotNull();
        assertThat(connect(peer, CONTAINER, 81)).as("IPv4: filtered").isNull();
        assertThat(connect(peer, CONTAINER, 80)).isEqualTo(PEER);
    }

    @Test
    void theIpv6FilterOpensOnlyPublishedPorts() throws Exception {
        String v6 = dualStackWeb(Map.of());
        assertThat(eventually(() -> connect(peer, v6, 80))).as("IPv6: the published container port").isNotNull();
        assertThat(connect(peer, v6, 81)).as("IPv6: not published").isNull();
    }

    /**
     * IPv6 on the uplink (host 2001:db8:ff::1, peer ::2, the peer routing 2001:db8:1::/64 via the
     * host, which forwards IPv6) and a dual-stack network with {@code options} whose container
     * "web" publishes 80 as 8080 and serves 80 and 81; returns its IPv6 address.
     */
    private String dualStackWeb(Map<String, String> options) {
        Shell.run("ip", "-n", host.name(), "addr", "add", "2001:db8:ff::1/64", "dev", "eth0", "nodad");
        Shell.run("ip", "-n", peer.name(), "addr", "add", "2001:db8:ff::2/64", "dev", "eth0", "nodad");
        Shell.run("ip", "-n", peer.name(), "route", "add", "2001:db8:1::/64", "via", "2001:db8:ff::1");
        Network net = controller.newNetwork(NetworkConfig.of("dual", "bridge").withIpv4(IpamConfig.subnet(SUBNET))
                .withIpv6(IpamConfig.subnet("2001:db8:1::/64")).withOptions(options));
        Sandbox sb = controller.newSandbox("web", SandboxOptions.named("web"));
        net.createEndpoint("web", EndpointOptions.publishing(PortBinding.parse("8080:80"))).join(sb);
        probes.servers(sb, 80, 81);
        return IpPrefix.format(net.endpoint("web").ipv6().address());
    }

    @Test
    void isolatedHasNoAddressOnTheBridgeAndNoWayOut() {
        Network net = controller.newNetwork(NetworkConfig.of("iso", "bridge").asInternal().withIpv4(IpamConfig.subnet(SUBNET))
                .withOptions(Map.of("com.docker.network.bridge.gateway_mode_ipv4", "isolated")));
        Sandbox a = controller.newSandbox("a", SandboxOptions.named("a"));
        net.createEndpoint("a").join(a);
        Sandbox b = controller.newSandbox("b", SandboxOptions.named("b"));
        net.createEndpoint("b").join(b);
        try (Rtnetlink h = Rtnetlink.open(host)) {
            assertThat(h.addresses().list(BridgeDriver.bridgeName(net.state()))).isEmpty();
        }
        assertThat(ping(a, IpPrefix.format(net.endpoint("b").ipv4().address()))).isTrue();
        assertThat(ping(a, "192.0.2.1")).as("no gateway").isFalse();
        assertThat(ping(a, HOST)).isFalse();
        assertThat(ping(host, IpPrefix.format(net.endpoint("a").ipv4().address()))).as("the host is not on it").isFalse();
    }

    @Test
    void badModesAndInterfaceNamesAreRefusedBeforeAnythingIsMade() {
        assertRefused(Map.of("com.docker.network.bridge.gateway_mode_ipv4", "natted"), false,
                "option com.docker.network.bridge.gateway_mode_ipv4 must be one of nat, nat-unprotected, routed, isolated, not \"natted\"");
        assertRefused(Map.of("com.docker.network.bridge.gateway_mode_ipv6", "bridge"), false,
                "option com.docker.network.bridge.gateway_mode_ipv6 must be one of nat, nat-unprotected, routed, isolated, not \"bridge\"");
        assertRefused(Map.of("com.docker.network.bridge.gateway_mode_ipv4", "isolated"), false,
                "option com.docker.network.bridge.gateway_mode_ipv4=isolated needs an internal network (--internal), as in Docker");
        assertRefused(Map.of("com.docker.network.bridge.trusted_host_interfaces", "eth0 eth1"), false,
                "option com.docker.network.bridge.trusted_host_interfaces: invalid interface name \"eth0 eth1\"");
        assertRefused(Map.of("com.docker.network.bridge.trusted_host_interfaces", "eth0::eth1"), true,
                "invalid interface name \"\"");
    }

    private void assertRefused(Map<String, String> options, boolean internal, String message) {
        NetworkConfig config = NetworkConfig.of("bad", "bridge").withIpv4(IpamConfig.subnet(SUBNET)).withOptions(options);
        assertThatThrownBy(() -> controller.newNetwork(internal ? config.asInternal() : config))
                .isInstanceOf(WeftException.class).hasMessageContaining(message)
                .extracting(e -> ((WeftException) e).kind()).isEqualTo(WeftException.Kind.INVALID_ARGUMENT);
        assertThat(controller.networks()).isEmpty();
        try (Rtnetlink h = Rtnetlink.open(host)) {
            assertThat(h.links().list()).extracting(Link::name).containsExactlyInAnyOrder("lo", "eth0");
        }
    }

    @Test
    void theBridgeMtuIsTheDefaultRouteInterfacesUnlessGiven() {
        Network net = network("mtu", Map.of());
        Sandbox a = controller.newSandbox("a", SandboxOptions.named("a"));
        net.createEndpoint("a").join(a);
        Map<String, String> explicit = new HashMap<>(Map.of("com.docker.network.driver.mtu", "1300"));
        Network given = controller.newNetwork(NetworkConfig.of("given", "bridge").withIpv4(IpamConfig.subnet("198.51.100.0/24"))
                .withOptions(explicit));
        Sandbox b = controller.newSandbox("b", SandboxOptions.named("b"));
        given.createEndpoint("b").join(b);
        try (Rtnetlink h = Rtnetlink.open(host)) {
            assertThat(h.links().get(BridgeDriver.bridgeName(net.state())).mtu()).isEqualTo(UPLINK_MTU);
            assertThat(h.links().get(BridgeDriver.bridgeName(given.state())).mtu()).isEqualTo(1300);
        }
        assertThat(eth0Mtu(a)).isEqualTo(UPLINK_MTU);
        assertThat(eth0Mtu(b)).isEqualTo(1300);
        assertThat(connect(a, PEER, 7000)).as("full-size segments pass the uplink").isEqualTo(HOST);
    }

    private static int eth0Mtu(Sandbox sb) {
        try (Netns ns = Netns.open(sb.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
            return nl.links().get("eth0").mtu();
        }
    }
}
