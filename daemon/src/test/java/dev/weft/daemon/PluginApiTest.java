package dev.weft.daemon;

import dev.weft.daemon.kernel.HostKernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.engine.ipam.Ipam;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.RunDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * weftd as Docker's network and IPAM plugin, over its plugin socket, with the test playing
 * dockerd: the calls and their order are libnetwork's for {@code docker network create -d weft
 * --ipam-driver weft --subnet ...}, {@code docker run --net ...}, its stop, and {@code docker
 * network rm}. weftd works in a throwaway host namespace; the "container" is another namespace
 * into which the test moves the interface Join left, as dockerd does.
 */
class PluginApiTest {
    private static final String NID = "3f1a".repeat(16);
    private static final String EID = "9c2b".repeat(16);
    private final TestNamespaces namespaces = new TestNamespaces();
    private final RunDir runDir = new RunDir();
    private Netns hostNs;
    private Rtnetlink host;
    private Weftd weftd;
    private ApiClient docker;

    @BeforeEach
    void start() throws Exception {
        hostNs = namespaces.create("plg");
        host = Rtnetlink.open(hostNs);
        startWeftd();
    }

    private void startWeftd() throws Exception {
        Path resolv = runDir.path().resolve("host-resolv.conf");
        Files.writeString(resolv, "");
        weftd = Weftd.start(new WeftdOptions(runDir.path().resolve("weft.sock"), runDir.path().resolve("data"),
                runDir.path().resolve("run"), "info", resolv).withPluginSocket(runDir.path().resolve("plugins/weft.sock")),
                HostKernel.of(hostNs));
        docker = new ApiClient(runDir.path().resolve("plugins/weft.sock"));
    }

    private void stopWeftd() throws Exception {
        docker.close();
        weftd.close();
    }

    @AfterEach
    void stop() throws Exception {
        stopWeftd();
        host.close();
        runDir.close();
        namespaces.close();
    }

    private JsonNode ok(String call, String body) throws Exception {
        ApiClient.Reply r = docker.call("POST", "/" + call, body);
        assertThat(r.status()).as(call + " -> " + r.body()).isEqualTo(200);
        assertThat(r.body().has("Err")).as(call + " -> " + r.body()).isFalse();
        return r.body();
    }

    private ApiClient.Reply refused(String call, String body) throws Exception {
        ApiClient.Reply r = docker.call("POST", "/" + call, body);
        assertThat(r.status()).as(call + " -> " + r.body()).isBetween(400, 599);
        assertThat(r.body().path("Err").asText()).as(call).isNotEmpty();
        return r;
    }

    /** docker network create: IPAM pool and gateway first, then CreateNetwork with them; returns the PoolID. */
    private String createNetwork() throws Exception {
        assertThat(ok("Plugin.Activate", null).path("Implements").toString()).contains("\"NetworkDriver\"", "\"IpamDriver\"");
        assertThat(ok("NetworkDriver.GetCapabilities", null).path("Scope").asText()).isEqualTo("local");
        assertThat(ok("IpamDriver.GetCapabilities", null).path("RequiresMACAddress").asBoolean(true)).isFalse();
        String space = ok("IpamDriver.GetDefaultAddressSpaces", null).path("LocalDefaultAddressSpace").asText();
        JsonNode pool = ok("IpamDriver.RequestPool", """
                {"AddressSpace": "%s", "Pool": "192.0.2.0/24", "SubPool": "", "Options": {}, "V6": false}""".formatted(space));
        assertThat(pool.path("Pool").asText()).isEqualTo("192.0.2.0/24");
        String poolId = pool.path("PoolID").asText();
        JsonNode gw = ok("IpamDriver.RequestAddress", """
                {"PoolID": "%s", "Address": "", "Options": {"RequestAddressType": "com.docker.network.gateway"}}"""
                .formatted(poolId));
        assertThat(gw.path("Address").asText()).isEqualTo("192.0.2.1/24");
        ok("NetworkDriver.CreateNetwork", """
                {"NetworkID": "%s", "Options": {"com.docker.network.enable_ipv6": false, "com.docker.network.generic": {}},
                 "IPv4Data": [{"AddressSpace": "%s", "Pool": "192.0.2.0/24", "Gateway": "192.0.2.1/24", "AuxAddresses": {}}],
                 "IPv6Data": []}""".formatted(NID, space));
        return poolId;
    }

    /** docker run: an address, the endpoint, its info, Join; returns Join's reply. */
    private JsonNode run() throws Exception {
        JsonNode addr = ok("IpamDriver.RequestAddress", """
                {"PoolID": "%s", "Address": "", "Options": {}}""".formatted(poolId()));
        assertThat(addr.path("Address").asText()).isEqualTo("192.0.2.2/24");
        JsonNode ep = ok("NetworkDriver.CreateEndpoint", """
                {"NetworkID": "%s", "EndpointID": "%s", "Options": {},
                 "Interface": {"Address": "192.0.2.2/24", "AddressIPv6": "", "MacAddress": ""}}""".formatted(NID, EID));
        assertThat(ep.path("Interface").path("MacAddress").asText()).as("weft's MAC, as Docker gave none").matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
        ok("NetworkDriver.EndpointOperInfo", ids());
        JsonNode join = ok("NetworkDriver.Join", """
                {"NetworkID": "%s", "EndpointID": "%s", "SandboxKey": "/var/run/docker/netns/c0ffee", "Options": {}}"""
                .formatted(NID, EID));
        ok("NetworkDriver.ProgramExternalConnectivity", ids());
        return join;
    }

    private String ids() {
        return "{\"NetworkID\": \"%s\", \"EndpointID\": \"%s\"}".formatted(NID, EID);
    }

    private String poolId() {
        return "DockerLocal/192.0.2.0/24";
    }

    private Link bridge() {
        var n = weftd.controller().network(NID);
        return host.links().get(dev.weft.engine.driver.bridge.BridgeDriver.bridgeName(n.state()));
    }

    /** What dockerd does with Join's reply: move SrcName into the container, name it eth0, address it, up. */
    private Netns plumbContainer(JsonNode join) {
        Netns container = namespaces.create("ctr");
        String src = join.path("InterfaceName").path("SrcName").asText();
        host.links().moveTo(src, container);
        try (Rtnetlink c = Rtnetlink.open(container)) {
            c.links().rename(src, "eth0");
            c.addresses().add("eth0", IpPrefix.parse("192.0.2.2/24"));
            c.links().setUp("eth0");
        }
        return container;
    }

    private static boolean ping(Netns ns, String ip) throws Exception {
        Process p = new ProcessBuilder("nsenter", "--net=" + ns.path(), "ping", "-c", "1", "-W", "1", ip)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor() == 0;
    }

    private List<Ipam.Pool> dockerPools() {
        return weftd.controller().ipam().pools("DockerLocal");
    }

    @Test
    void networkCreateRunStopAndRemoveAsDockerDoes() throws Exception {
        String poolId = createNetwork();
        assertThat(poolId).isEqualTo(poolId());
        Link bridge = bridge();
        assertThat(host.addresses().list(bridge.name())).extracting(a -> a.prefix().toString()).contains("192.0.2.1/24");

        JsonNode join = run();
        assertThat(join.path("InterfaceName").path("DstPrefix").asText()).isEqualTo("eth");
        assertThat(join.path("Gateway").asText()).isEqualTo("192.0.2.1");
        String src = join.path("InterfaceName").path("SrcName").asText();
        Link srcLink = host.links().get(src);
        assertThat(srcLink.kind()).isEqualTo("veth");
        String mac = weftd.controller().network(NID).endpoint(EID).state().mac();
        assertThat(srcLink.mac().toString()).isEqualTo(mac);
        assertThat(host.links().list()).filteredOn(l -> l.masterIndex() == bridge.index()).extracting(Link::name)
                .containsExactly(weftd.controller().network(NID).endpoint(EID).state().hostIfname());
        assertThat(weftd.controller().ipam().holders(poolId).keySet()).extracting(IpPrefix::format)
                .as("each address allocated once").containsExactlyInAnyOrder("192.0.2.1", "192.0.2.2");

        Netns container = plumbContainer(join);
        assertThat(ping(container, "192.0.2.1")).as("the container reaches its gateway over weft's bridge").isTrue();

        // docker stop, then docker network rm
        ok("NetworkDriver.RevokeExternalConnectivity", ids());
        ok("NetworkDriver.Leave", ids());
        assertThat(host.links().list()).filteredOn(l -> l.masterIndex() == bridge.index()).isEmpty();
        ok("NetworkDriver.DeleteEndpoint", ids());
        ok("IpamDriver.ReleaseAddress", "{\"PoolID\": \"%s\", \"Address\": \"192.0.2.2\"}".formatted(poolId));
        ok("NetworkDriver.DeleteNetwork", "{\"NetworkID\": \"%s\"}".formatted(NID));
        ok("IpamDriver.ReleaseAddress", "{\"PoolID\": \"%s\", \"Address\": \"192.0.2.1\"}".formatted(poolId));
        ok("IpamDriver.ReleasePool", "{\"PoolID\": \"%s\"}".formatted(poolId));

        assertThat(weftd.controller().networks()).isEmpty();
        assertThat(host.links().find(bridge.name())).isEmpty();
        assertThat(dockerPools()).isEmpty();
        assertThat(weftd.controller().ipam().pools(Ipam.LOCAL_SPACE)).as("the weft network's own pool").isEmpty();
    }

    @Test
    void networksAndEndpointsOutliveARestartOfWeftd() throws Exception {
        String poolId = createNetwork();
        JsonNode join = run();
        Netns container = plumbContainer(join);
        stopWeftd();
        startWeftd();

        assertThat(ping(container, "192.0.2.1")).as("still plumbed after the restart").isTrue();
        JsonNode again = ok("IpamDriver.RequestAddress", "{\"PoolID\": \"%s\", \"Address\": \"\"}".formatted(poolId));
        assertThat(again.path("Address").asText()).as("the allocations survived").isEqualTo("192.0.2.3/24");
        ok("IpamDriver.ReleaseAddress", "{\"PoolID\": \"%s\", \"Address\": \"192.0.2.3\"}".formatted(poolId));
        ok("NetworkDriver.Leave", ids());
        assertThat(ping(container, "192.0.2.1")).isFalse();
        ok("NetworkDriver.DeleteEndpoint", ids());
        ok("IpamDriver.ReleaseAddress", "{\"PoolID\": \"%s\", \"Address\": \"192.0.2.2\"}".formatted(poolId));
        ok("NetworkDriver.DeleteNetwork", "{\"NetworkID\": \"%s\"}".formatted(NID));
        ok("IpamDriver.ReleaseAddress", "{\"PoolID\": \"%s\", \"Address\": \"192.0.2.1\"}".formatted(poolId));
        ok("IpamDriver.ReleasePool", "{\"PoolID\": \"%s\"}".formatted(poolId));
        assertThat(dockerPools()).isEmpty();
        assertThat(weftd.controller().networks()).isEmpty();
    }

    /** Go's HTTP client, dialing a Unix socket as dockerd does, sends an empty Host header. */
    @Test
    void anIpv6OnlyNetworkAsDocker28CreatesIt() throws Exception {
        String space = ok("IpamDriver.GetDefaultAddressSpaces", null).path("LocalDefaultAddressSpace").asText();
        JsonNode pool = ok("IpamDriver.RequestPool", """
                {"AddressSpace": "%s", "Pool": "2001:db8:9::/64", "SubPool": "", "Options": {}, "V6": true}""".formatted(space));
        ok("IpamDriver.RequestAddress", """
                {"PoolID": "%s", "Address": "", "Options": {"RequestAddressType": "com.docker.network.gateway"}}"""
                .formatted(pool.path("PoolID").asText()));
        ok("NetworkDriver.CreateNetwork", """
                {"NetworkID": "%s", "Options": {"com.docker.network.enable_ipv6": true,
                  "com.docker.network.generic": {"com.docker.network.enable_ipv4": "false"}},
                 "IPv4Data": [],
                 "IPv6Data": [{"AddressSpace": "%s", "Pool": "2001:db8:9::/64", "Gateway": "2001:db8:9::1/64", "AuxAddresses": {}}]}"""
                .formatted(NID, space));
        var n = weftd.controller().network(NID).state();
        assertThat(n.options()).containsEntry("com.docker.network.enable_ipv4", "false");
        assertThat(n.subnets()).singleElement().satisfies(s -> assertThat(s.subnet()).isEqualTo("2001:db8:9::/64"));
    }

    @Test
    void acceptsDockerdsEmptyHostHeader() throws Exception {
        String request = "POST /Plugin.Activate HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\n"
                + "Accept: application/vnd.docker.plugins.v1.2+json\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnull";
        try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(
                runDir.path().resolve("plugins/weft.sock")))) {
            ch.write(java.nio.ByteBuffer.wrap(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            String reply = new String(java.nio.channels.Channels.newInputStream(ch).readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertThat(reply).startsWith("HTTP/1.1 200").contains("{\"Implements\":[\"NetworkDriver\",\"IpamDriver\"]}");
        }
    }

    @Test
    void malformedRequestsGetAnErrAndChangeNothing() throws Exception {
        String poolId = createNetwork();
        run();
        List<String> links = host.links().list().stream().map(Link::name).sorted().toList();
        var holders = weftd.controller().ipam().holders(poolId);

        refused("NetworkDriver.CreateNetwork", "{not json");
        refused("NetworkDriver.CreateNetwork", "[1, 2]");
        refused("NetworkDriver.CreateNetwork", "{\"IPv4Data\": [{\"Pool\": \"198.51.100.0/24\"}]}");
        refused("NetworkDriver.CreateNetwork", "{\"NetworkID\": \"other\", \"IPv4Data\": [{\"Pool\": \"not-a-cidr\"}]}");
        refused("NetworkDriver.CreateNetwork", "{\"NetworkID\": \"other\", \"IPv4Data\": []}");
        assertThat(refused("NetworkDriver.CreateEndpoint", """
                {"NetworkID": "nope", "EndpointID": "e2", "Interface": {"Address": "192.0.2.9/24"}}""").status())
                .isEqualTo(404);
        refused("NetworkDriver.CreateEndpoint", "{\"NetworkID\": \"%s\", \"EndpointID\": \"e2\"}".formatted(NID));
        refused("NetworkDriver.CreateEndpoint", """
                {"NetworkID": "%s", "EndpointID": "e2", "Interface": {"Address": "192.0.2.2/24"}}""".formatted(NID));
        for (String ports : List.of("{}", "[{\"Proto\": 132, \"Port\": 80, \"HostPort\": 8080}]",
                "[{\"Proto\": 6, \"Port\": 80, \"HostPort\": 0}]", "[{\"Proto\": 6, \"Port\": 80, \"HostPort\": 8080, \"HostPortEnd\": 8090}]",
                "[{\"Proto\": \"tcp\", \"Port\": 80, \"HostPort\": 8080}]", "[{\"Proto\": 6, \"Port\": 0, \"HostPort\": 8080}]")) {
            refused("NetworkDriver.CreateEndpoint", """
                    {"NetworkID": "%s", "EndpointID": "e2", "Interface": {"Address": "192.0.2.9/24"},
                     "Options": {"com.docker.network.portmap": %s}}""".formatted(NID, ports));
        }
        refused("NetworkDriver.Join", "{\"NetworkID\": \"%s\", \"EndpointID\": \"nope\", \"SandboxKey\": \"/x\"}".formatted(NID));
        refused("NetworkDriver.Join", "{\"NetworkID\": \"%s\", \"EndpointID\": \"%s\", \"SandboxKey\": \"/run/docker/netns/\"}"
                .formatted(NID, EID));
        refused("NetworkDriver.Join", ids());
        assertThat(refused("NetworkDriver.DeleteNetwork", "{\"NetworkID\": \"%s\"}".formatted(NID)).status())
                .as("it still has an endpoint").isEqualTo(409);
        refused("NetworkDriver.Leave", "{\"NetworkID\": \"%s\"}".formatted(NID));
        refused("IpamDriver.RequestPool", "{\"AddressSpace\": \"Elsewhere\", \"Pool\": \"198.51.100.0/24\"}");
        assertThat(refused("IpamDriver.RequestPool", "{\"AddressSpace\": \"DockerLocal\", \"Pool\": \"192.0.2.128/25\"}")
                .status()).as("overlap").isEqualTo(409);
        refused("IpamDriver.RequestAddress", "{\"PoolID\": \"DockerLocal/198.51.100.0/24\"}");
        refused("IpamDriver.RequestAddress", "{\"PoolID\": \"LocalDefault/192.0.2.0/24\"}");
        refused("IpamDriver.RequestAddress", "{\"PoolID\": \"%s\", \"Address\": \"192.0.2.2\"}".formatted(poolId));
        refused("IpamDriver.ReleaseAddress", "{\"PoolID\": \"%s\", \"Address\": \"192.0.2.77\"}".formatted(poolId));
        refused("IpamDriver.ReleasePool", "{\"PoolID\": \"%s\"}".formatted(poolId));
        refused("NetworkDriver.NoSuchCall", "{}");
        assertThat(docker.call("GET", "/Plugin.Activate", null).status()).isEqualTo(405);

        assertThat(host.links().list().stream().map(Link::name).sorted().toList()).isEqualTo(links);
        assertThat(weftd.controller().ipam().holders(poolId)).isEqualTo(holders);
        assertThat(weftd.controller().networks()).hasSize(1);
        assertThat(weftd.controller().network(NID).endpoints()).hasSize(1);
        assertThat(dockerPools()).hasSize(1);
        ok("NetworkDriver.Leave", ids());
        ok("NetworkDriver.DeleteEndpoint", ids());
        ok("NetworkDriver.DeleteNetwork", "{\"NetworkID\": \"%s\"}".formatted(NID));
    }
}
