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
import dev.weft.engine.ipam.Subnets;
import dev.weft.linux.Shell;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.linux.sysctl.Sysctl;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.SimulatedHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.weft.engine.driver.bridge.Probes.connect;
import static dev.weft.engine.driver.bridge.Probes.eventually;
import static dev.weft.engine.driver.bridge.Probes.ping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * IPv6-only and dual-stack bridge networks with real packets. The controller runs on a simulated
 * host whose uplink has 203.0.113.1 and 2001:db8:ff::1; its peer on the link (203.0.113.2,
 * 2001:db8:ff::2) plays another machine. The peer has no route to the container subnets, so an
 * answer from it proves masquerade; published ports are reached on the host's uplink addresses.
 * The host's IPv6 forwarding starts off: the driver has to switch it on.
 */
class Ipv6NetworkTest {
    private static final String HOST4 = "203.0.113.1";
    private static final String PEER4 = "203.0.113.2";
    private static final String HOST6 = "2001:db8:ff::1";
    private static final String PEER6 = "2001:db8:ff::2";
    private static final String SUBNET6 = "2001:db8:1::/64";
    private SimulatedHosts hosts;
    private ControllerFixture fixture;
    private Netns host;
    private Netns peer;
    private Controller controller;
    private final Probes probes = new Probes();

    @BeforeEach
    void start() {
        hosts = SimulatedHosts.create(2, IpPrefix.parse("203.0.113.0/24"), 1500);
        host = hosts.get(0).netns();
        peer = hosts.get(1).netns();
        Shell.run("ip", "-n", host.name(), "addr", "add", HOST6 + "/64", "dev", "eth0", "nodad");
        Shell.run("ip", "-n", peer.name(), "addr", "add", PEER6 + "/64", "dev", "eth0", "nodad");
        Sysctl.of(host).ipv6Forwarding(false);
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

    private static NetworkConfig ipv6Only(String name) {
        return NetworkConfig.of(name, "bridge").withIpv6(IpamConfig.subnet(SUBNET6))
                .withOptions(Map.of(NetworkConfig.ENABLE_IPV4, "false"));
    }

    /** A container joined to {@code net}, publishing 80 as host port 8080 when {@code publish}, serving on 80. */
    private Sandbox container(Network net, String name, boolean publish) {
        Sandbox sb = controller.newSandbox(name, SandboxOptions.named(name));
        net.createEndpoint(name, publish ? EndpointOptions.publishing(PortBinding.parse("8080:80")) : EndpointOptions.none())
                .join(sb);
        probes.servers(sb, 80);
        return sb;
    }

    private static String normal(String address) {
        return address == null ? null : IpPrefix.format(IpPrefix.parseAddress(address));
    }

    @Test
    void anIpv6OnlyNetworkHasNoIpv4AnywhereAndWorksOverIpv6() throws Exception {
        Network net = controller.newNetwork(ipv6Only("six"));
        assertThat(net.state().subnets()).singleElement().satisfies(s -> assertThat(s.subnet()).isEqualTo(SUBNET6));
        Sandbox a = container(net, "a", true);
        Sandbox b = container(net, "b", false);
        assertThat(net.endpoint("a").ipv4()).isNull();
        String b6 = IpPrefix.format(net.endpoint("b").ipv6().address());
        try (Rtnetlink h = Rtnetlink.open(host)) {
            assertThat(h.addresses().list(BridgeDriver.bridgeName(net.state()))).extracting(x -> x.prefix().address())
                    .as("no IPv4 address on the bridge").allMatch(x -> x instanceof java.net.Inet6Address);
        }
        try (Netns ns = Netns.open(a.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
            assertThat(nl.addresses().list("eth0")).extracting(x -> x.prefix().address())
                    .as("no IPv4 address in the container").allMatch(x -> x instanceof java.net.Inet6Address);
        }
        assertThat(Shell.run("ip", "netns", "exec", host.name(), "nft", "list", "table", "inet", "weft"))
                .as("no IPv4 rule for the network").doesNotContain("ip saddr");
        assertThat(Sysctl.of(host).get("net.ipv6.conf.all.forwarding")).as("the driver turned IPv6 forwarding on").isEqualTo("1");

        assertThat(eventually(() -> ping(a, b6) ? "ok" : null)).as("container to container").isEqualTo("ok");
        assertThat(normal(eventually(() -> connect(a, PEER6, 7000)))).as("to the peer via the host: masqueraded")
                .isEqualTo(HOST6);
        assertThat(normal(eventually(() -> connect(peer, HOST6, 8080)))).as("the published port over IPv6\n"
                + Shell.run("ip", "netns", "exec", host.name(), "nft", "list", "table", "inet", "weft"))
                .isEqualTo(PEER6);
        assertThat(connect(peer, HOST4, 8080)).as("no IPv4 to publish on").isNull();
    }

    @Test
    void aDualStackNetworkMasqueradesAndPublishesOnBothFamilies() throws Exception {
        Network net = controller.newNetwork(NetworkConfig.of("dual", "bridge").withIpv4(IpamConfig.subnet("192.0.2.0/24"))
                .withIpv6(IpamConfig.subnet(SUBNET6)));
        Sandbox web = container(net, "web", true);
        assertThat(net.endpoint("web").ipv4()).isNotNull();
        assertThat(net.endpoint("web").ipv6()).isNotNull();
        assertThat(connect(web, PEER4, 7000)).as("IPv4 masqueraded").isEqualTo(HOST4);
        assertThat(normal(eventually(() -> connect(web, PEER6, 7000)))).as("IPv6 masqueraded").isEqualTo(HOST6);
        assertThat(connect(peer, HOST4, 8080)).as("published on IPv4").isEqualTo(PEER4);
        assertThat(normal(eventually(() -> connect(peer, HOST6, 8080)))).as("published on IPv6").isEqualTo(PEER6);

        Sandbox api = controller.newSandbox("api", SandboxOptions.named("api"));
        net.createEndpoint("api", EndpointOptions.publishing(PortBinding.parse("[" + HOST6 + "]:8081:80"))).join(api);
        probes.servers(api, 80);
        assertThat(normal(eventually(() -> connect(peer, HOST6, 8081)))).as("published on one IPv6 host address")
                .isEqualTo(PEER6);
        assertThat(connect(peer, HOST4, 8081)).as("not on IPv4").isNull();

        net.endpoint("web").leave(web);
        assertThat(connect(peer, HOST6, 8080)).as("unpublished on leave").isNull();
    }

    @Test
    void ipv6WithoutASubnetTakesA64OfTheHostsUlaPrefix() {
        Network one = controller.newNetwork(NetworkConfig.of("one", "bridge").withIpv6(IpamConfig.automatic()));
        Network two = controller.newNetwork(NetworkConfig.of("two", "bridge").withIpv6(IpamConfig.automatic())
                .withOptions(Map.of(NetworkConfig.ENABLE_IPV4, "false")));
        IpPrefix first = ipv6Subnet(one);
        IpPrefix second = ipv6Subnet(two);
        assertThat(first.length()).isEqualTo(64);
        assertThat(IpPrefix.format(first.address())).startsWith("fd");
        assertThat(second).isNotEqualTo(first);
        assertThat(prefix48(second)).as("one /48 per host").isEqualTo(prefix48(first));
        assertThat(one.state().subnets()).hasSize(2);
        assertThat(two.state().subnets()).hasSize(1);
        one.delete();
        controller = fixture.restart();
        Network three = controller.newNetwork(NetworkConfig.of("three", "bridge").withIpv6(IpamConfig.automatic()));
        assertThat(prefix48(ipv6Subnet(three))).as("the prefix is kept across restarts").isEqualTo(prefix48(first));
    }

    private static IpPrefix prefix48(IpPrefix p) {
        return Subnets.network(new IpPrefix(p.address(), 48));
    }

    private static IpPrefix ipv6Subnet(Network n) {
        return n.state().subnets().stream().map(s -> IpPrefix.parse(s.subnet())).filter(p -> !p.isIpv4()).findFirst()
                .orElseThrow();
    }

    @Test
    void badFamilyCombinationsAreRefusedBeforeAnythingIsMade() {
        assertRefused(NetworkConfig.of("none", "bridge").withOptions(Map.of(NetworkConfig.ENABLE_IPV4, "false")),
                "IPv4 disabled (--ipv4=false) needs IPv6 enabled (--ipv6)");
        assertRefused(ipv6Only("mixed").withIpv4(IpamConfig.subnet("192.0.2.0/24")),
                "IPv4 subnet 192.0.2.0/24 given but IPv4 is disabled");
        assertRefused(NetworkConfig.of("typo", "bridge").withIpv6(IpamConfig.automatic())
                .withOptions(Map.of(NetworkConfig.ENABLE_IPV4, "no-thanks")), "must be true or false");
    }

    private void assertRefused(NetworkConfig config, String message) {
        assertThatThrownBy(() -> controller.newNetwork(config)).isInstanceOf(WeftException.class).hasMessageContaining(message)
                .extracting(e -> ((WeftException) e).kind()).isEqualTo(WeftException.Kind.INVALID_ARGUMENT);
        assertThat(controller.networks()).isEmpty();
        try (Rtnetlink h = Rtnetlink.open(host)) {
            assertThat(h.links().list()).extracting(Link::name).containsExactlyInAnyOrder("lo", "eth0");
        }
    }
}
