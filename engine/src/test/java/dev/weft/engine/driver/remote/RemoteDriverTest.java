package dev.weft.engine.driver.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.engine.Controller;
import dev.weft.engine.ControllerConfig;
import dev.weft.engine.ControllerFixture;
import dev.weft.engine.Endpoint;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.PortBinding;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.WeftException;
import dev.weft.engine.plugin.FakePlugin;
import dev.weft.engine.plugin.PluginClient;
import dev.weft.engine.plugin.PluginDiscovery;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.net.IpPrefix;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;
import dev.weft.testkit.RunDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The remote driver through the controller, against a recording plugin on a Unix socket and the real kernel. */
class RemoteDriverTest {
    private static final String PLUGIN = "fakenet";
    private Path pluginDir;
    private ControllerFixture fixture;
    private Controller controller;
    private FakePlugin plugin;

    @BeforeEach
    void start() throws IOException {
        pluginDir = Files.createTempDirectory("weft-plugins");
        fixture = new ControllerFixture("rm", h -> List.of(driver(pluginDir, Duration.ofSeconds(5),
                List.of(Duration.ofMillis(10), Duration.ofMillis(20)), h)));
        controller = fixture.controller();
        plugin = new FakePlugin(pluginDir.resolve(PLUGIN + ".sock"), fixture.host());
    }

    @AfterEach
    void stop() throws IOException {
        plugin.close();
        fixture.close();
        try (Stream<Path> files = Files.walk(pluginDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private Network network(String name) {
        return controller.newNetwork(NetworkConfig.of(name, PLUGIN).withOptions(Map.of("color", "blue"))
                .withIpv4(new IpamConfig(IpPrefix.parse("192.0.2.0/24"), null, null,
                        Map.of("router", IpPrefix.parseAddress("192.0.2.250")))));
    }

    /** A network of the plugin, a sandbox and an endpoint ready to join it. */
    private record Setup(Network net, Sandbox sb, Endpoint ep) {
    }

    private Setup setUp() {
        Network net = network("blue");
        return new Setup(net, controller.newSandbox("c1", SandboxOptions.named("c1")), net.createEndpoint("c1"));
    }

    private static boolean ping(Sandbox from, InetAddress to) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nsenter", "--net=" + from.netnsPath(), "ping", "-c", "1", "-W", "1",
                IpPrefix.format(to)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor() == 0;
    }

    private static List<String> links(Sandbox sb) {
        try (Netns ns = Netns.open(sb.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
            return nl.links().list().stream().map(Link::name).toList();
        }
    }

    private List<String> hostLinks() {
        try (Rtnetlink nl = Rtnetlink.open(fixture.host())) {
            return nl.links().list().stream().map(Link::name).toList();
        }
    }

    @Test
    void aContainerGetsThePluginsInterfaceAndEveryCallComesInOrderWithDockersFieldNames() throws Exception {
        Setup t = setUp();
        Network net = t.net();
        Sandbox sb = t.sb();
        Endpoint ep = t.ep();
        ep.join(sb);

        String src = FakePlugin.pluginSide(ep.id());
        assertThat(plugin.methods()).containsExactly("Plugin.Activate", "NetworkDriver.GetCapabilities",
                "NetworkDriver.CreateNetwork", "NetworkDriver.CreateEndpoint", "NetworkDriver.Join",
                "NetworkDriver.ProgramExternalConnectivity");
        assertThat(plugin.calls()).allSatisfy(c -> assertThat(c.accept()).isEqualTo(PluginClient.ACCEPT));
        JsonNode create = plugin.last("NetworkDriver.CreateNetwork");
        assertThat(create.get("NetworkID").asText()).isEqualTo(net.id());
        JsonNode v4 = create.get("IPv4Data").get(0);
        assertThat(v4.get("AddressSpace").asText()).isEqualTo("LocalDefault");
        assertThat(v4.get("Pool").asText()).isEqualTo("192.0.2.0/24");
        assertThat(v4.get("Gateway").asText()).isEqualTo("192.0.2.1/24");
        assertThat(v4.get("AuxAddresses").get("router").asText()).isEqualTo("192.0.2.250/24");
        assertThat(create.get("IPv6Data").isEmpty()).isTrue();
        assertThat(create.get("Options").get("com.docker.network.generic").get("color").asText()).isEqualTo("blue");
        JsonNode iface = plugin.last("NetworkDriver.CreateEndpoint").get("Interface");
        assertThat(plugin.last("NetworkDriver.CreateEndpoint").get("EndpointID").asText()).isEqualTo(ep.id());
        assertThat(iface.get("Address").asText()).isEqualTo(ep.ipv4().toString()).isEqualTo("192.0.2.2/24");
        assertThat(iface.get("AddressIPv6").asText()).isEmpty();
        assertThat(iface.get("MacAddress").asText()).isEqualTo(ep.mac().toString());
        assertThat(plugin.last("NetworkDriver.Join").get("SandboxKey").asText()).isEqualTo(sb.netnsPath().toString());

        try (Netns ns = Netns.open(sb.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
            Link eth0 = nl.links().get("eth0");
            assertThat(eth0.mac()).isEqualTo(ep.mac());
            assertThat(nl.addresses().list("eth0")).anySatisfy(a -> assertThat(a.prefix()).isEqualTo(ep.ipv4()));
            assertThat(nl.routes().list(Route.MAIN_TABLE)).extracting(r -> r.destination().toString())
                    .contains("10.99.0.0/16", "198.18.0.0/24");
            assertThat(nl.routes().list(Route.MAIN_TABLE)).filteredOn(Route::isDefault).singleElement()
                    .satisfies(r -> assertThat(r.gateway()).isEqualTo(IpPrefix.parseAddress("192.0.2.1")));
        }
        assertThat(hostLinks()).as("the plugin's end moved into the sandbox").doesNotContain(src)
                .contains(FakePlugin.hostSide(ep.id()));
        try (Rtnetlink nl = Rtnetlink.open(fixture.host())) {
            nl.addresses().add(FakePlugin.hostSide(ep.id()), IpPrefix.parse("192.0.2.1/24"));
        }
        assertThat(ping(sb, IpPrefix.parseAddress("192.0.2.1"))).as("packets cross the plugin's veth").isTrue();

        ep.leave(sb);
        assertThat(plugin.methods()).endsWith("NetworkDriver.ProgramExternalConnectivity",
                "NetworkDriver.RevokeExternalConnectivity", "NetworkDriver.Leave", "NetworkDriver.DeleteEndpoint");
        assertThat(plugin.last("NetworkDriver.Leave").get("EndpointID").asText()).isEqualTo(ep.id());
        assertThat(links(sb)).containsExactly("lo");
        assertThat(hostLinks()).doesNotContain(src, FakePlugin.hostSide(ep.id()));
        ep.delete();
        net.delete();
        assertThat(plugin.methods()).last().isEqualTo("NetworkDriver.DeleteNetwork");
        assertThat(plugin.last("NetworkDriver.DeleteNetwork").get("NetworkID").asText()).isEqualTo(net.id());
        assertThat(plugin.methods()).filteredOn(m -> m.equals("Plugin.Activate")).as("activated once").hasSize(1);
    }

    /**
     * Published ports reach the plugin as libnetwork sends them (CreateEndpoint, Join and
     * ProgramExternalConnectivity options); a plugin without the optional external-connectivity
     * calls (404) still works; one that refuses ProgramExternalConnectivity fails the join, which
     * is undone in reverse.
     */
    @Test
    void publishedPortsGoToThePluginAndExternalConnectivityIsOptionalButNotIgnored() throws Exception {
        Network net = network("ports");
        Sandbox sb = controller.newSandbox("c1", SandboxOptions.named("c1"));
        Endpoint ep = net.createEndpoint("c1", new EndpointOptions(null, null, null, List.of(),
                PortBinding.parse("127.0.0.1:8080:80/udp")));
        ep.join(sb);
        JsonNode program = plugin.last("NetworkDriver.ProgramExternalConnectivity");
        assertThat(program.get("EndpointID").asText()).isEqualTo(ep.id());
        JsonNode map = program.get("Options").get("com.docker.network.portmap").get(0);
        assertThat(map.get("Proto").asInt()).isEqualTo(17);
        assertThat(map.get("Port").asInt()).isEqualTo(80);
        assertThat(map.get("HostIP").asText()).isEqualTo("127.0.0.1");
        assertThat(map.get("HostPort").asInt()).isEqualTo(8080);
        assertThat(map.get("HostPortEnd").asInt()).isEqualTo(8080);
        assertThat(program.get("Options").get("com.docker.network.endpoint.exposedports").toString())
                .isEqualTo("[{\"Proto\":17,\"Port\":80}]");
        assertThat(plugin.last("NetworkDriver.CreateEndpoint").get("Options")).isEqualTo(program.get("Options"));
        assertThat(plugin.last("NetworkDriver.Join").get("Options")).isEqualTo(program.get("Options"));
        ep.leave(sb);

        plugin.reply("NetworkDriver.ProgramExternalConnectivity", 404, "404 page not found");
        plugin.reply("NetworkDriver.RevokeExternalConnectivity", 404, "404 page not found");
        ep.join(sb);
        assertThat(links(sb)).as("joined without the optional calls").contains("eth0");
        ep.leave(sb);
        assertThat(plugin.methods()).endsWith("NetworkDriver.RevokeExternalConnectivity", "NetworkDriver.Leave",
                "NetworkDriver.DeleteEndpoint");

        plugin.reply("NetworkDriver.ProgramExternalConnectivity", 200, "{\"Err\": \"port 8080 is taken\"}");
        assertThatThrownBy(() -> ep.join(sb)).hasMessageContaining("refused NetworkDriver.ProgramExternalConnectivity")
                .hasMessageContaining("port 8080 is taken");
        assertThat(plugin.methods()).endsWith("NetworkDriver.ProgramExternalConnectivity", "NetworkDriver.Leave",
                "NetworkDriver.DeleteEndpoint");
        assertThat(links(sb)).containsExactly("lo");
        assertThat(hostLinks()).doesNotContain(FakePlugin.pluginSide(ep.id()));
        assertThat(ep.state().joined()).isFalse();
    }

    @Test
    void aRefusedCreateEndpointIsAClearErrorAndLeavesNothingHalfMade() {
        Setup t = setUp();
        Network net = t.net();
        Sandbox sb = t.sb();
        Endpoint ep = t.ep();
        IpPrefix address = ep.ipv4();
        plugin.reply("NetworkDriver.CreateEndpoint", 200, "{\"Err\": \"no\"}");

        assertThatThrownBy(() -> ep.join(sb)).isInstanceOf(WeftException.class)
                .hasMessage("network plugin fakenet refused NetworkDriver.CreateEndpoint: no");
        assertThat(plugin.methods()).endsWith("NetworkDriver.CreateNetwork", "NetworkDriver.CreateEndpoint");
        assertThat(ep.state().joined()).isFalse();
        assertThat(sb.endpoints()).isEmpty();
        assertThat(links(sb)).containsExactly("lo");
        ep.delete();
        assertThat(net.endpoints()).isEmpty();
        assertThat(net.createEndpoint("again", new EndpointOptions(address.address(), null, null, List.of())).ipv4())
                .as("the address was released: it can be asked for again").isEqualTo(address);
    }

    @Test
    void aFailedJoinDeletesTheEndpointInThePlugin() {
        Setup t = setUp();
        plugin.reply("NetworkDriver.Join", 200, "{\"Err\": \"no room\"}");

        assertThatThrownBy(() -> t.ep().join(t.sb())).hasMessageContaining("refused NetworkDriver.Join: no room");
        assertThat(plugin.methods()).endsWith("NetworkDriver.CreateEndpoint", "NetworkDriver.Join",
                "NetworkDriver.DeleteEndpoint");
        assertThat(plugin.last("NetworkDriver.DeleteEndpoint").get("EndpointID").asText()).isEqualTo(t.ep().id());
        assertThat(hostLinks()).doesNotContain(FakePlugin.hostSide(t.ep().id()), FakePlugin.pluginSide(t.ep().id()));
        assertThat(t.ep().state().joined()).isFalse();
    }

    @Test
    void aJoinThatCannotBePlumbedLeavesAndDeletesTheEndpointInReverseOrder() {
        Setup t = setUp();
        plugin.srcName("nosuchlink");

        assertThatThrownBy(() -> t.ep().join(t.sb()))
                .hasMessage("network plugin fakenet answered Join with interface nosuchlink, which does not exist on the host");
        assertThat(plugin.methods()).endsWith("NetworkDriver.CreateEndpoint", "NetworkDriver.Join",
                "NetworkDriver.Leave", "NetworkDriver.DeleteEndpoint");
        assertThat(links(t.sb())).containsExactly("lo");
        assertThat(hostLinks()).doesNotContain(FakePlugin.hostSide(t.ep().id()));
    }

    @Test
    void aPluginThatGivesBackAnInterfaceItWasGivenIsRefused() {
        Setup t = setUp();
        plugin.reply("NetworkDriver.CreateEndpoint", 200, "{\"Interface\": {\"MacAddress\": \"02:00:00:00:00:01\"}}");

        assertThatThrownBy(() -> t.ep().join(t.sb())).hasMessageContaining("the protocol requires an empty Interface");
        assertThat(plugin.methods()).endsWith("NetworkDriver.CreateEndpoint", "NetworkDriver.DeleteEndpoint");
    }

    @Test
    void aPluginWithoutScopeCannotMakeNetworks() {
        plugin.scope(null);
        assertThatThrownBy(() -> network("blue")).isInstanceOf(WeftException.class)
                .hasMessageContaining("network plugin fakenet gave no Scope in its capabilities");
        assertThat(controller.networks()).extracting(Network::name).doesNotContain("blue");
        assertThat(plugin.methods()).containsExactly("Plugin.Activate", "NetworkDriver.GetCapabilities");
    }

    private void assertNoNetworkAndSubnetFree() {
        assertThat(controller.networks()).extracting(Network::name).doesNotContain("blue");
        plugin.reply("NetworkDriver.CreateNetwork", 200, "{}");
        assertThat(network("blue").state().subnets()).as("the subnet was released").hasSize(1);
    }

    @Test
    void junkJsonIsAClearErrorAndNoNetworkIsHalfMade() {
        plugin.reply("NetworkDriver.CreateNetwork", 200, "this is not json");
        assertThatThrownBy(() -> network("blue")).hasMessage(
                "network plugin fakenet answered NetworkDriver.CreateNetwork with invalid JSON: \"this is not json\"");
        assertNoNetworkAndSubnetFree();
    }

    @Test
    void anHttp500IsAClearErrorAndNoNetworkIsHalfMade() {
        plugin.reply("NetworkDriver.CreateNetwork", 500, "internal trouble");
        assertThatThrownBy(() -> network("blue")).hasMessageContaining("network plugin fakenet answered "
                + "NetworkDriver.CreateNetwork with invalid JSON (HTTP 500): \"internal trouble\"");
        plugin.reply("NetworkDriver.CreateNetwork", 500, "{}");
        assertThatThrownBy(() -> network("blue")).hasMessage("network plugin fakenet failed NetworkDriver.CreateNetwork "
                + "with HTTP 500: \"{}\"");
        assertNoNetworkAndSubnetFree();
    }

    @Test
    void withoutAnySocketTheErrorSaysWhereItLooked() {
        plugin.close();
        plugin = new FakePlugin(pluginDir.resolve("other.sock"), fixture.host());
        assertThatThrownBy(() -> network("blue")).isInstanceOf(WeftException.class)
                .hasMessageStartingWith("network plugin fakenet not found (looked for " + pluginDir.resolve("fakenet.sock"));
        assertThat(controller.networks()).extracting(Network::name).doesNotContain("blue");
    }

    @Test
    void aSocketNobodyListensOnIsRetriedThenAClearError() throws IOException {
        plugin.close();
        Path stale = pluginDir.resolve(PLUGIN + ".sock");
        try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(stale)); // closed without removing the file: a dead plugin
        }
        plugin = new FakePlugin(pluginDir.resolve("other.sock"), fixture.host());
        assertThatThrownBy(() -> network("blue")).hasMessageStartingWith(
                "network plugin fakenet is not answering (Plugin.Activate, 3 tries): cannot connect to " + stale);
        assertThat(controller.networks()).extracting(Network::name).doesNotContain("blue");
    }

    @Test
    void aPluginThatNeverAnswersTimesOut() {
        plugin.close();
        fixture.close();
        fixture = new ControllerFixture("rm", h -> List.of(driver(pluginDir, Duration.ofMillis(300), List.of(), h)));
        controller = fixture.controller();
        plugin = new FakePlugin(pluginDir.resolve(PLUGIN + ".sock"), fixture.host());
        plugin.hang("NetworkDriver.CreateNetwork");

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> network("blue")).hasMessage("network plugin fakenet did not answer "
                + "NetworkDriver.CreateNetwork within 300 ms: no reply in time (waiting for the reply)");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(controller.networks()).extracting(Network::name).doesNotContain("blue");
    }

    /**
     * A global-scope plugin hears of the live hosts as libnetwork tells it of a cluster's nodes:
     * DiscoverNew once per host (Self for this one), DiscoverDelete when one leaves; a failed
     * notice is sent again at the next change; a local-scope plugin hears nothing.
     */
    @Test
    void aGlobalPluginHearsOfTheLiveHostsOnce() {
        PluginDiscovery discovery = new PluginDiscovery(List.of(pluginDir), List.of());
        RemoteDriver local = RemoteDriver.of(PLUGIN, discovery, fixture.host());
        try {
            local.hosts(Set.of("192.0.2.1", "192.0.2.2"), "192.0.2.1");
            assertThat(plugin.methods()).doesNotContain("NetworkDriver.DiscoverNew");
        } finally {
            local.close();
        }
        plugin.scope("global");
        RemoteDriver global = RemoteDriver.of(PLUGIN, discovery, fixture.host());
        try {
            global.hosts(Set.of("192.0.2.1", "192.0.2.2"), "192.0.2.1");
            global.hosts(Set.of("192.0.2.1", "192.0.2.2"), "192.0.2.1");
            List<FakePlugin.Call> news = plugin.calls().stream().filter(c -> c.method().equals("NetworkDriver.DiscoverNew")).toList();
            assertThat(news).as("once per host").hasSize(2);
            assertThat(news).extracting(c -> c.body().get("DiscoveryType").asInt()).containsOnly(1);
            assertThat(news).extracting(c -> c.body().get("DiscoveryData").get("Address").asText() + " "
                    + c.body().get("DiscoveryData").get("Self").asBoolean())
                    .containsExactlyInAnyOrder("192.0.2.1 true", "192.0.2.2 false");

            plugin.reply("NetworkDriver.DiscoverDelete", 500, "{\"Err\": \"busy\"}");
            global.hosts(Set.of("192.0.2.1"), "192.0.2.1");
            plugin.reply("NetworkDriver.DiscoverDelete", 200, "{}");
            global.hosts(Set.of("192.0.2.1"), "192.0.2.1");
            assertThat(plugin.calls()).filteredOn(c -> c.method().equals("NetworkDriver.DiscoverDelete"))
                    .as("a failed notice is sent again").hasSize(2)
                    .allSatisfy(c -> assertThat(c.body().get("DiscoveryData").get("Address").asText()).isEqualTo("192.0.2.2"));
            global.hosts(Set.of("192.0.2.1"), "192.0.2.1");
            assertThat(plugin.methods()).filteredOn(m -> m.startsWith("NetworkDriver.Discover")).hasSize(4);
        } finally {
            global.close();
        }
    }

    @Test
    void aPluginIsFoundByNameWhenANetworkFirstNamesIt() throws IOException {
        PluginDiscovery discovery = new PluginDiscovery(List.of(pluginDir), List.of());
        try (RunDir dir = new RunDir(); Store store = LocalStore.inMemory();
             Controller lazy = Controller.start(ControllerConfig.of(store, dir.path(), fixture.host())
                     .withPlugins(name -> {
                         discovery.address(name);
                         return RemoteDriver.of(name, discovery, fixture.host());
                     }))) {
            assertThat(lazy.driverNames()).doesNotContain(PLUGIN);
            assertThatThrownBy(() -> lazy.newNetwork(NetworkConfig.of("x", "nosuch")))
                    .hasMessageStartingWith("no network driver \"nosuch\" (available: null, host), and network plugin nosuch"
                            + " not found (looked for " + pluginDir.resolve("nosuch.sock"));
            Network net = lazy.newNetwork(NetworkConfig.of("blue", PLUGIN).withIpv4(IpamConfig.subnet("192.0.2.0/24")));
            assertThat(lazy.driverNames()).contains(PLUGIN);
            assertThat(plugin.methods()).startsWith("Plugin.Activate", "NetworkDriver.GetCapabilities");
            assertThat(plugin.methods()).contains("NetworkDriver.CreateNetwork");
            net.delete();
        }
    }

    private static RemoteDriver driver(Path dir, Duration timeout, List<Duration> backoff, Netns host) {
        PluginDiscovery discovery = new PluginDiscovery(List.of(dir), List.of(dir.resolve("specs")));
        return new RemoteDriver(new PluginClient(PLUGIN, () -> discovery.address(PLUGIN), timeout, backoff), host);
    }
}
