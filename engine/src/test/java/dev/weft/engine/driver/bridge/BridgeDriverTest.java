package dev.weft.engine.driver.bridge;

import dev.weft.engine.Controller;
import dev.weft.engine.ControllerFixture;
import dev.weft.engine.Endpoint;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.WeftException;
import dev.weft.linux.Shell;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.store.Store;
import dev.weft.testkit.RunDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bridge driver against the kernel, inside a throwaway host namespace, with real packets. */
class BridgeDriverTest {
    private ControllerFixture fixture;
    private Store store;
    private Netns host;
    private Controller controller;
    private RunDir runDir;

    @BeforeEach
    void start() {
        fixture = new ControllerFixture("br", h -> List.of(new BridgeDriver(h)));
        store = fixture.store();
        host = fixture.host();
        controller = fixture.controller();
        runDir = fixture.runDir();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private static boolean ping(Sandbox from, InetAddress to) {
        try {
            Process p = new ProcessBuilder("nsenter", "--net=" + from.netnsPath(), "ping", "-c", "1", "-W", "1",
                    IpPrefix.format(to)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Sandbox container(Network net, String name) {
        Sandbox sb = controller.newSandbox(name, SandboxOptions.named(name));
        net.createEndpoint(name).join(sb);
        return sb;
    }

    @Test
    void twoSandboxesOnOneBridgeReachEachOtherAndTheGateway() {
        Network net = controller.newNetwork(NetworkConfig.of("front", "bridge").withIpv4(IpamConfig.subnet("192.0.2.0/24"))
                .withOptions(Map.of("com.docker.network.bridge.name", "wbfront", "com.docker.network.driver.mtu", "1400")));
        Sandbox a = container(net, "a");
        Sandbox b = container(net, "b");
        InetAddress ipB = net.endpoint("b").ipv4().address();

        assertThat(ping(a, ipB)).isTrue();
        assertThat(ping(b, IpPrefix.parseAddress("192.0.2.1"))).as("the gateway on the bridge").isTrue();
        try (Netns ns = Netns.open(a.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
            Link eth0 = nl.links().get("eth0");
            assertThat(eth0.mac().toString()).isEqualTo("02:42:c0:00:02:02");
            assertThat(eth0.mtu()).isEqualTo(1400);
            assertThat(nl.routes().list(Route.MAIN_TABLE)).filteredOn(Route::isDefault).singleElement()
                    .satisfies(r -> assertThat(r.gateway()).isEqualTo(IpPrefix.parseAddress("192.0.2.1")));
        }
        try (Rtnetlink nl = Rtnetlink.open(host)) {
            Link bridge = nl.links().get("wbfront");
            String hostSide = net.endpoint("a").state().hostIfname();
            Link port = nl.links().get(hostSide);
            assertThat(port.masterIndex()).isEqualTo(bridge.index());
            assertThat(port.port().hairpin()).as("no published ports, no hairpin").isFalse();
        }
    }

    @Test
    void aSandboxOnTwoNetworksReachesBothAndTheHigherPriorityGivesTheGateway() {
        Network n1 = controller.newNetwork(NetworkConfig.of("n1", "bridge").withIpv4(IpamConfig.subnet("198.51.100.0/24")));
        Network n2 = controller.newNetwork(NetworkConfig.of("n2", "bridge").withIpv4(IpamConfig.subnet("203.0.113.0/24")));
        Sandbox peer1 = container(n1, "p1");
        Sandbox peer2 = container(n2, "p2");
        Sandbox both = controller.newSandbox("both", SandboxOptions.named("both"));
        n1.createEndpoint("both").join(both, 0);
        n2.createEndpoint("both").join(both, 10);

        assertThat(ping(both, n1.endpoint("p1").ipv4().address())).isTrue();
        assertThat(ping(both, n2.endpoint("p2").ipv4().address())).isTrue();
        try (Netns ns = Netns.open(both.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
            assertThat(nl.links().list()).extracting(Link::name).contains("eth0", "eth1");
            assertThat(nl.routes().list(Route.MAIN_TABLE)).filteredOn(Route::isDefault).singleElement()
                    .satisfies(r -> assertThat(r.gateway()).isEqualTo(IpPrefix.parseAddress("203.0.113.1")));
        }
        n2.endpoint("both").leave(both);
        try (Netns ns = Netns.open(both.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
            assertThat(nl.routes().list(Route.MAIN_TABLE)).filteredOn(Route::isDefault).singleElement()
                    .as("the gateway moves to the remaining network")
                    .satisfies(r -> assertThat(r.gateway()).isEqualTo(IpPrefix.parseAddress("198.51.100.1")));
        }
        assertThat(peer1.id()).isNotEqualTo(peer2.id());
    }

    @Test
    void internalNetworksHaveNoDefaultRoute() {
        Network net = controller.newNetwork(NetworkConfig.of("back", "bridge").asInternal()
                .withIpv4(IpamConfig.subnet("192.0.2.0/24")));
        Sandbox a = container(net, "a");
        try (Netns ns = Netns.open(a.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
            assertThat(nl.routes().list(Route.MAIN_TABLE)).noneMatch(Route::isDefault);
        }
    }

    @Test
    void ipv6DualStack() {
        Network net = controller.newNetwork(NetworkConfig.of("v6", "bridge").withIpv4(IpamConfig.subnet("192.0.2.0/24"))
                .withIpv6(IpamConfig.subnet("2001:db8:1::/64")));
        Sandbox a = container(net, "a");
        Sandbox b = container(net, "b");
        assertThat(net.endpoint("b").ipv6().toString()).isEqualTo("2001:db8:1::3/64");
        assertThat(Shell.run("nsenter", "--net=" + a.netnsPath(), "ping", "-6", "-c", "1", "-W", "2", "2001:db8:1::3"))
                .contains("1 received");
        assertThat(b.id()).isNotEmpty();
        Path hosts = runDir.path().resolve("sandboxes").resolve(b.id()).resolve("hosts");
        assertThat(hosts).content().contains("192.0.2.3\tb\n").contains("2001:db8:1::3\tb\n");
    }

    @Test
    void leaveAndDeleteRemoveEveryKernelObject() {
        Network net = controller.newNetwork(NetworkConfig.of("tmp", "bridge").withIpv4(IpamConfig.subnet("192.0.2.0/24")));
        Sandbox a = container(net, "a");
        Endpoint ep = net.endpoint("a");
        String hostSide = ep.state().hostIfname();
        Path netns = a.netnsPath();
        ep.leave(a);
        ep.delete();
        a.delete();
        net.delete();
        try (Rtnetlink nl = Rtnetlink.open(host)) {
            assertThat(nl.links().list()).extracting(Link::name).containsExactly("lo");
        }
        assertThat(netns.toFile()).doesNotExist();
        assertThat(runDir.path().resolve("sandboxes").resolve(a.id())).doesNotExist();
        assertThat(hostSide).startsWith("wv");
    }

    /**
     * An endpoint handed off to another runtime's container (as weft's Docker plugin does): the
     * container end waits unconfigured in the host namespace; once "the runtime" moves and
     * configures it, it works; restarts keep the join while the container holds its end and
     * undo it once the container is gone, with the endpoint's address still held.
     */
    @Test
    void anEndpointHandedOffToAnotherRuntimeSurvivesRestartsUntilItsContainerGoes() throws Exception {
        Network net = controller.newNetwork(NetworkConfig.of("hand", "bridge").withIpv4(IpamConfig.subnet("192.0.2.0/24")));
        Endpoint ep = net.createEndpoint("h");
        ep.handOff("c0ffee", "wdchand0");
        String hostSide = ep.state().hostIfname();
        try (Rtnetlink nl = Rtnetlink.open(host)) {
            assertThat(nl.addresses().list("wdchand0")).as("left unconfigured for the runtime").isEmpty();
            assertThat(nl.links().get(hostSide).masterIndex()).isEqualTo(nl.links().get(BridgeDriver.bridgeName(net.state())).index());
        }
        assertThat(ep.state().container()).isEqualTo("c0ffee");
        assertThatThrownBy(() -> ep.handOff("other", "wdchand1")).hasMessageContaining("already joined");
        Network none = controller.newNetwork(NetworkConfig.of("nothing", "null"));
        assertThatThrownBy(() -> none.createEndpoint("n").handOff("c0ffee", "wdcnull0"))
                .hasMessageContaining("the null driver cannot hand interfaces over");

        try (TestNamespaces spare = new TestNamespaces()) {
            Netns container = spare.create("ho");
            try (Rtnetlink nl = Rtnetlink.open(host)) {
                nl.links().moveTo("wdchand0", container); // what Docker does after Join
            }
            Shell.run("nsenter", "--net=" + container.path(), "ip", "addr", "add", ep.state().ipv4(), "dev", "wdchand0");
            Shell.run("nsenter", "--net=" + container.path(), "ip", "link", "set", "wdchand0", "up");
            Shell.run("nsenter", "--net=" + container.path(), "ping", "-c", "1", "-W", "2", "192.0.2.1");

            controller = fixture.restart();
            assertThat(controller.network("hand").endpoint("h").state().sandboxId()).as("still joined").isNotNull();
            Shell.run("nsenter", "--net=" + container.path(), "ping", "-c", "1", "-W", "2", "192.0.2.1");
        } // the container goes, and its veth with it (once the kernel has cleaned the namespace up)
        try (Rtnetlink nl = Rtnetlink.open(host)) {
            for (int i = 0; i < 100 && nl.links().find(hostSide).isPresent(); i++) {
                Thread.sleep(100);
            }
        }

        controller = fixture.restart();
        Endpoint after = controller.network("hand").endpoint("h");
        assertThat(after.state().joined()).as("its container is gone").isFalse();
        assertThat(controller.ipam().holders(controller.network("hand").state().subnets().getFirst().poolId()))
                .containsValue(after.id());
        after.handOff("c0ffee", "wdchand0"); // a new container
        after.leaveAnywhere();
        after.delete();
        try (Rtnetlink nl = Rtnetlink.open(host)) {
            assertThat(nl.links().list()).extracting(Link::name).doesNotContain(hostSide, "wdchand0");
        }
    }

    @Test
    void badOptionsAreRejectedBeforeAnythingIsMade() {
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("x", "bridge")
                .withOptions(Map.of("com.docker.network.bridge.enable_icc", "maybe"))))
                .hasMessageContaining("must be true or false");
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("x", "bridge")
                .withOptions(Map.of("com.docker.network.bridge.nmae", "br0"))))
                .hasMessageContaining("unknown bridge driver option(s): com.docker.network.bridge.nmae")
                .extracting(e -> ((WeftException) e).kind()).isEqualTo(WeftException.Kind.INVALID_ARGUMENT);
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("x", "bridge")
                .withOptions(Map.of("com.docker.network.driver.mtu", "9"))))
                .hasMessageContaining("68 to 65535");
        assertThat(controller.networks()).isEmpty();
        assertThat(store.list("ipam/")).isEmpty();
    }

    @Test
    void aRestartRemovesBridgesAndVethsNoRecordNamesAndRepairsMissingBridges() {
        Network net = controller.newNetwork(NetworkConfig.of("keep", "bridge").withIpv4(IpamConfig.subnet("192.0.2.0/24")));
        container(net, "a");
        fixture.stop();
        try (Rtnetlink nl = Rtnetlink.open(host)) {
            nl.links().create(new LinkSpec.Bridge("wb-0123456789ab"));
            nl.links().create(new LinkSpec.Veth("wv0123456789abc", "wvpeer"));
            nl.links().delete(BridgeDriver.bridgeName(net.state()));
        }
        controller = fixture.restart();
        try (Rtnetlink nl = Rtnetlink.open(host)) {
            List<String> names = nl.links().list().stream().map(Link::name).toList();
            assertThat(names).doesNotContain("wb-0123456789ab", "wv0123456789abc", "wvpeer");
            assertThat(names).contains(BridgeDriver.bridgeName(controller.network("keep").state()));
            assertThat(nl.addresses().list(BridgeDriver.bridgeName(controller.network("keep").state())))
                    .anySatisfy(addr -> assertThat(addr.prefix()).isEqualTo(IpPrefix.parse("192.0.2.1/24")));
        }
    }
}
