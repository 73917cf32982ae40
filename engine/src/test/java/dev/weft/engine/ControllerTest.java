package dev.weft.engine;

import dev.weft.engine.ipam.Ipam;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.net.MacAddress;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControllerTest {
    private final RecordingDriver recording = new RecordingDriver();
    private ControllerFixture fixture;
    private Store store;
    private Controller controller;
    private Path runDir;

    @BeforeEach
    void start() {
        fixture = new ControllerFixture("ctl", host -> List.of(recording));
        store = fixture.store();
        controller = fixture.controller();
        runDir = fixture.runDir().path();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private static WeftException.Kind kind(Throwable t) {
        return ((WeftException) t).kind();
    }

    @Test
    void nullNetworkLifecycleGivesASandboxWithOnlyLoopback() {
        Network none = controller.newNetwork(NetworkConfig.of("none", "null"));
        Sandbox sb = controller.newSandbox("c1", SandboxOptions.named("c1"));
        Endpoint ep = none.createEndpoint("c1");
        ep.join(sb);

        assertThat(ep.ipv4()).isNull();
        assertThat(sb.endpoints()).extracting(Endpoint::id).containsExactly(ep.id());
        try (Netns ns = Netns.open(sb.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
            assertThat(nl.links().list()).extracting(Link::name).containsExactly("lo");
            assertThat(nl.links().get("lo").up()).isTrue();
        }
        ep.leave(sb);
        ep.delete();
        Path netns = sb.netnsPath();
        sb.delete();
        none.delete();
        assertThat(Files.exists(netns)).isFalse();
        assertThat(controller.networks()).isEmpty();
        assertThat(controller.sandboxes()).isEmpty();
    }

    @Test
    void aSandboxesOwnDnsServersAreCheckedAndWrittenToItsResolvConf() throws Exception {
        assertThatThrownBy(() -> controller.newSandbox("c1", SandboxOptions.named("c1").withDnsServers(List.of("dns.example"))))
                .hasMessage("DNS server 'dns.example' is not an IP address")
                .extracting(ControllerTest::kind).isEqualTo(WeftException.Kind.INVALID_ARGUMENT);
        assertThat(controller.sandboxes()).isEmpty();
        Sandbox sb = controller.newSandbox("c1", SandboxOptions.named("c1").withDnsServers(List.of("198.51.100.53")));
        assertThat(sb.state().dnsServers()).containsExactly("198.51.100.53");
        assertThat(Files.readString(controller.sandboxFilesDirectory(sb.id()).resolve("resolv.conf")))
                .startsWith("nameserver 198.51.100.53\n");
    }

    @Test
    void hostNetworksOnlyTakeHostNetworkSandboxes() {
        Network hostNet = controller.newNetwork(NetworkConfig.of("host", "host"));
        Sandbox shared = controller.newSandbox("c1", new SandboxOptions("c1", null, true));
        Sandbox own = controller.newSandbox("c2", SandboxOptions.named("c2"));
        assertThat(shared.netnsPath()).isNull();
        hostNet.createEndpoint("c1").join(shared);
        Endpoint e2 = hostNet.createEndpoint("c2");
        assertThatThrownBy(() -> e2.join(own)).extracting(ControllerTest::kind).isEqualTo(WeftException.Kind.FORBIDDEN);
        assertThat(e2.state().joined()).isFalse();
    }

    @Test
    void namesIdsAndPrefixesFindNetworks() {
        Network a = controller.newNetwork(NetworkConfig.of("alpha", "null"));
        assertThat(controller.network("alpha").id()).isEqualTo(a.id());
        assertThat(controller.network(a.id()).name()).isEqualTo("alpha");
        assertThat(controller.network(a.id().substring(0, 12)).name()).isEqualTo("alpha");
        assertThatThrownBy(() -> controller.network("beta")).hasMessage("network beta not found")
                .extracting(ControllerTest::kind).isEqualTo(WeftException.Kind.NOT_FOUND);
    }

    @Test
    void badRequestsAreTypedAndChangeNothing() {
        controller.newNetwork(NetworkConfig.of("prod", "null"));
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("prod", "null")))
                .hasMessageStartingWith("network prod already exists").extracting(ControllerTest::kind)
                .isEqualTo(WeftException.Kind.CONFLICT);
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("x", "nosuch")))
                .hasMessageContaining("no network driver \"nosuch\" (available: null, host, recording)")
                .extracting(ControllerTest::kind).isEqualTo(WeftException.Kind.NOT_FOUND);
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("bad name!", "null")))
                .extracting(ControllerTest::kind).isEqualTo(WeftException.Kind.INVALID_ARGUMENT);
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("n6", "null").withIpv6(IpamConfig.subnet("2001:db8::/64"))))
                .extracting(ControllerTest::kind).isEqualTo(WeftException.Kind.INVALID_ARGUMENT);
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("n", "recording")
                .withIpv4(new IpamConfig(IpPrefix.parse("192.0.2.0/24"), null, IpPrefix.parseAddress("198.51.100.1"), Map.of()))))
                .hasMessageContaining("198.51.100.1").extracting(ControllerTest::kind)
                .isEqualTo(WeftException.Kind.INVALID_ARGUMENT);
        assertThat(controller.networks()).extracting(Network::name).containsExactly("prod");
        assertThat(store.list("ipam/LocalDefault/pools/")).isEmpty();
    }

    @Test
    void badSubnetsAddressesAndPortsAreTypedErrors() {
        controller.newNetwork(NetworkConfig.of("a", "recording").withIpv4(IpamConfig.subnet("192.0.2.0/24")));
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("b", "recording").withIpv4(IpamConfig.subnet("192.0.2.0/25"))))
                .hasMessageContaining("overlaps 192.0.2.0/24").extracting(ControllerTest::kind).isEqualTo(WeftException.Kind.CONFLICT);
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("c", "recording").withIpv4(new IpamConfig(
                IpPrefix.parse("198.51.100.0/24"), null, null, Map.of("printer", IpPrefix.parseAddress("203.0.113.9"))))))
                .hasMessageContaining("aux address printer").extracting(ControllerTest::kind)
                .isEqualTo(WeftException.Kind.INVALID_ARGUMENT);
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("d", "recording").withIpv4(new IpamConfig(
                null, IpPrefix.parse("198.51.100.0/28"), null, Map.of()))))
                .hasMessageContaining("need an explicit subnet");
        Network a = controller.network("a");
        assertThatThrownBy(() -> a.createEndpoint("x", new EndpointOptions(IpPrefix.parseAddress("203.0.113.5"), null, null, null)))
                .hasMessageContaining("in no subnet of network a").extracting(ControllerTest::kind)
                .isEqualTo(WeftException.Kind.INVALID_ARGUMENT);
        Network none = controller.newNetwork(NetworkConfig.of("none", "null"));
        assertThatThrownBy(() -> none.createEndpoint("x", EndpointOptions.publishing(PortBinding.parse("8080:80"))))
                .hasMessageContaining("cannot publish ports").extracting(ControllerTest::kind)
                .isEqualTo(WeftException.Kind.INVALID_ARGUMENT);
        assertThatThrownBy(() -> a.createEndpoint("bad name")).extracting(ControllerTest::kind)
                .isEqualTo(WeftException.Kind.INVALID_ARGUMENT);
        assertThat(controller.networks()).extracting(Network::name).containsExactlyInAnyOrder("a", "none");
        assertThat(a.endpoints()).isEmpty();
        assertThat(store.list("ipam/LocalDefault/pools/")).hasSize(1);
    }

    @Test
    void aNetworkWithEndpointsCannotBeDeletedAndSaysWhichOnes() {
        Network prod = controller.newNetwork(NetworkConfig.of("prod", "recording"));
        prod.createEndpoint("web2");
        prod.createEndpoint("db1");
        assertThatThrownBy(prod::delete).hasMessage("network prod has active endpoints: db1, web2")
                .extracting(ControllerTest::kind).isEqualTo(WeftException.Kind.CONFLICT);
        assertThat(controller.network("prod").endpoints()).hasSize(2);
    }

    @Test
    void endpointsKeepTheirAddressesUntilDeletedAndGetMacsFromThem() {
        Network net = controller.newNetwork(NetworkConfig.of("n1", "recording").withIpv4(
                new IpamConfig(IpPrefix.parse("192.0.2.0/24"), null, null, Map.of("router", IpPrefix.parseAddress("192.0.2.254")))));
        assertThat(net.state().subnets().getFirst().gateway()).isEqualTo("192.0.2.1/24");
        Endpoint a = net.createEndpoint("a");
        Endpoint b = net.createEndpoint("b", new EndpointOptions(IpPrefix.parseAddress("192.0.2.77"), null,
                MacAddress.parse("02:00:00:00:00:77"), List.of("db")));
        assertThat(a.ipv4()).isEqualTo(IpPrefix.parse("192.0.2.2/24"));
        assertThat(a.mac()).isEqualTo(MacAddress.parse("02:42:c0:00:02:02"));
        assertThat(b.ipv4().address()).isEqualTo(IpPrefix.parseAddress("192.0.2.77"));
        assertThat(b.mac()).isEqualTo(MacAddress.parse("02:00:00:00:00:77"));
        assertThatThrownBy(() -> net.createEndpoint("c", new EndpointOptions(IpPrefix.parseAddress("192.0.2.254"), null, null, null)))
                .as("aux addresses are never handed out").extracting(ControllerTest::kind).isEqualTo(WeftException.Kind.CONFLICT);

        Sandbox sb = controller.newSandbox("c1", SandboxOptions.named("c1"));
        a.join(sb);
        a.leave(sb);
        assertThat(a.ipv4()).as("kept while the endpoint exists").isEqualTo(IpPrefix.parse("192.0.2.2/24"));
        a.delete();
        assertThat(net.createEndpoint("d").ipv4()).isEqualTo(IpPrefix.parse("192.0.2.3/24"));
    }

    @Test
    void aFailingDriverRollsTheNetworkBackCompletely() {
        recording.failOn = "createNetwork";
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("broken", "recording")
                .withIpv4(IpamConfig.subnet("198.51.100.0/24")))).hasMessageContaining("injected failure");
        assertThat(recording.calls).containsSubsequence("createNetwork broken", "deleteNetwork broken");
        assertThat(controller.networks()).isEmpty();
        assertThat(store.list("ipam/")).as("pool and gateway released").isEmpty();
    }

    @Test
    void aFailingJoinLeavesTheEndpointUnjoined() {
        Network net = controller.newNetwork(NetworkConfig.of("n1", "recording"));
        Endpoint ep = net.createEndpoint("a");
        Sandbox sb = controller.newSandbox("c1", SandboxOptions.named("c1"));
        recording.failOn = "join";
        assertThatThrownBy(() -> ep.join(sb)).hasMessageContaining("injected failure");
        assertThat(ep.state().joined()).isFalse();
        assertThat(recording.calls).endsWith("join a eth0", "leave a");
        ep.delete();
        assertThat(net.endpoints()).isEmpty();
    }

    @Test
    void aJoinedEndpointCannotBeDeletedNorJoinedTwice() {
        Network net = controller.newNetwork(NetworkConfig.of("n1", "recording"));
        Endpoint ep = net.createEndpoint("a");
        Endpoint other = net.createEndpoint("b");
        Sandbox sb = controller.newSandbox("c1", SandboxOptions.named("c1"));
        ep.join(sb);
        assertThatThrownBy(ep::delete).extracting(ControllerTest::kind).isEqualTo(WeftException.Kind.CONFLICT);
        assertThatThrownBy(() -> ep.join(sb)).extracting(ControllerTest::kind).isEqualTo(WeftException.Kind.CONFLICT);
        assertThatThrownBy(() -> other.join(sb)).hasMessageContaining("already on network n1");
        sb.delete();
        assertThat(ep.state().joined()).as("deleting a sandbox leaves its endpoints").isFalse();
    }

    @Test
    void aRestartForgetsSandboxesWhoseNamespaceVanishedAndRemovesUnrecordedNamespaces() throws Exception {
        Network net = controller.newNetwork(NetworkConfig.of("n1", "recording"));
        Sandbox gone = controller.newSandbox("gone", SandboxOptions.named("gone"));
        Endpoint ep = net.createEndpoint("a");
        ep.join(gone);
        fixture.stop();
        new dev.weft.linux.netns.Namespaces(runDir.resolve("netns")).delete(gone.netnsPath().getFileName().toString());
        new dev.weft.linux.netns.Namespaces(runDir.resolve("netns")).create("stray").close();

        controller = fixture.restart();
        assertThat(controller.sandboxes()).isEmpty();
        assertThat(controller.network("n1").endpoint("a").state().joined()).isFalse();
        assertThat(new dev.weft.linux.netns.Namespaces(runDir.resolve("netns")).list()).isEmpty();
    }

    @Test
    void aRestartReleasesAddressesAndPoolsNoRecordHolds() {
        Network net = controller.newNetwork(NetworkConfig.of("n1", "recording").withIpv4(IpamConfig.subnet("192.0.2.0/24")));
        String pool = net.state().subnets().getFirst().poolId();
        controller.ipam().requestAddress(pool, null, "endpoint-that-never-got-a-record");
        Ipam.Pool orphan = controller.ipam().requestPool(Ipam.LOCAL_SPACE, IpPrefix.parse("198.51.100.0/24"), null, false);
        controller.ipam().requestAddress(orphan.id(), null, "gateway");
        controller = fixture.restart();
        assertThat(controller.ipam().holders(pool)).containsOnlyKeys(IpPrefix.parseAddress("192.0.2.1"));
        assertThat(controller.ipam().pools(Ipam.LOCAL_SPACE)).extracting(Ipam.Pool::id).containsExactly(pool);
        assertThat(controller.network("n1").createEndpoint("x").ipv4()).isEqualTo(IpPrefix.parse("192.0.2.2/24"));
    }
}
