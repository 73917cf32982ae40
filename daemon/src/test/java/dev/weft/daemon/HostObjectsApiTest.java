package dev.weft.daemon;

import dev.weft.linux.rtnl.Address;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * weft touches only what it made (issue 19, cases 1 and 5): weftd in a test host whose uplink
 * {@code eth0} (a veth) has 192.0.2.1/24 and whose default route goes via 192.0.2.254.
 */
class HostObjectsApiTest {
    private DaemonFixture daemon;
    private Rtnetlink host;

    @BeforeEach
    void start() throws Exception {
        daemon = new DaemonFixture("hob");
        host = Rtnetlink.open(daemon.host);
        host.links().create(new LinkSpec.Veth("eth0", "uplink"));
        host.addresses().add("eth0", IpPrefix.parse("192.0.2.1/24"));
        host.links().setUp("uplink");
        host.links().setUp("eth0");
        host.routes().add(Route.defaultVia(IpPrefix.parseAddress("192.0.2.254")));
    }

    @AfterEach
    void stop() throws Exception {
        host.close();
        daemon.close();
    }

    private ApiClient.Reply create(String json) throws Exception {
        return daemon.api.call("POST", "/v1/networks/create", json);
    }

    private List<String> addresses(String link) {
        return host.addresses().list(link).stream().filter(a -> a.scope() != 253) // not the kernel's fe80::
                .map(Address::prefix).map(IpPrefix::toString).toList();
    }

    private void bridge(String name, String address) {
        host.links().create(new LinkSpec.Bridge(name));
        host.addresses().add(name, IpPrefix.parse(address));
        host.links().setUp(name);
    }

    private ApiClient.Reply run(String name, String network) throws Exception {
        return daemon.api.call("POST", "/v1/containers/create",
                "{\"Name\": \"" + name + "\", \"Networks\": [\"" + network + "\"], \"Cmd\": [\"sleep\", \"300\"]}");
    }

    @Test
    void aBridgeNameNamingTheUplinkOrLoopbackIsRefusedAndTheyStayUntouched() throws Exception {
        var uplink = create("{\"Name\": \"m4\", \"Options\": {\"com.docker.network.bridge.name\": \"eth0\"}}");
        assertThat(uplink.status()).isEqualTo(400);
        assertThat(uplink.message()).contains("bridge name eth0 names an existing veth interface of the host that is not a bridge");
        var lo = create("{\"Name\": \"m5\", \"Options\": {\"com.docker.network.bridge.name\": \"lo\"}}");
        assertThat(lo.status()).isEqualTo(400);
        assertThat(lo.message()).contains("bridge name lo names an existing device interface");
        assertThat(addresses("eth0")).as("eth0 keeps exactly its address").containsOnly("192.0.2.1/24");
        assertThat(addresses("lo")).noneMatch(a -> a.startsWith("172."));
        host.links().create(new LinkSpec.Bridge("wb-mine"));
        var prefixed = create("{\"Name\": \"m6\", \"Options\": {\"com.docker.network.bridge.name\": \"wb-mine\"}}");
        assertThat(prefixed.status()).isEqualTo(400);
        assertThat(prefixed.message()).contains("has the prefix wb- of the bridges weft makes and removes");
        assertThat(daemon.api.call("GET", "/v1/networks", null).body()).as("nothing recorded").isEmpty();
    }

    @Test
    void anExistingBridgeIsUserManagedKeptAcrossRestartsAndNeverDeleted() throws Exception {
        bridge("ubr0", "198.51.100.1/24");
        var created = create("{\"Name\": \"um\", \"IPAM\": {\"Config\": [{\"Subnet\": \"203.0.113.0/24\"}]},"
                + " \"Options\": {\"com.docker.network.bridge.name\": \"ubr0\"}}");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        assertThat(addresses("ubr0")).containsExactlyInAnyOrder("198.51.100.1/24", "203.0.113.1/24");
        var second = create("{\"Name\": \"um2\", \"Options\": {\"com.docker.network.bridge.name\": \"ubr0\"}}");
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.message()).isEqualTo("bridge ubr0 is already used by another network");

        assertThat(run("c1", "um").status()).isEqualTo(201);
        Link ubr = host.links().get("ubr0");
        assertThat(host.links().list()).as("the container's veth is a port of the user's bridge")
                .anyMatch(l -> l.name().startsWith("wv") && l.masterIndex() == ubr.index());
        daemon.restart();
        assertThat(host.links().find("ubr0")).as("a restart keeps the user's bridge").isPresent();
        assertThat(daemon.api.call("DELETE", "/v1/containers/c1?force=true", null).status()).isEqualTo(204);
        assertThat(daemon.api.call("DELETE", "/v1/networks/um", null).status()).isEqualTo(204);
        assertThat(host.links().find("ubr0")).as("network rm leaves the user's bridge").isPresent();
        assertThat(addresses("ubr0")).as("only weft's gateway went").containsOnly("198.51.100.1/24");
        assertThat(host.links().list()).noneMatch(l -> l.name().startsWith("wv"));
        daemon.restart();
        assertThat(host.links().find("ubr0")).as("nor does the reconciler delete it").isPresent();
    }

    @Test
    void aUserBridgesOwnGatewayAddressStaysAndABridgeWeftMadeGoes() throws Exception {
        bridge("ubr1", "198.51.100.1/24");
        assertThat(create("{\"Name\": \"own\", \"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.0/24\"}]},"
                + " \"Options\": {\"com.docker.network.bridge.name\": \"ubr1\"}}").status()).isEqualTo(201);
        assertThat(create("{\"Name\": \"made\", \"IPAM\": {\"Config\": [{\"Subnet\": \"203.0.113.0/24\"}]},"
                + " \"Options\": {\"com.docker.network.bridge.name\": \"wtmade\"}}").status()).isEqualTo(201);
        assertThat(host.links().find("wtmade")).isPresent();
        assertThat(daemon.api.call("DELETE", "/v1/networks/own", null).status()).isEqualTo(204);
        assertThat(daemon.api.call("DELETE", "/v1/networks/made", null).status()).isEqualTo(204);
        assertThat(addresses("ubr1")).as("the address the bridge had before stays").containsOnly("198.51.100.1/24");
        assertThat(host.links().find("wtmade")).as("the bridge weft made is deleted").isEmpty();
    }

    @Test
    void macvlanParentsAreUsedNeverChangedAndLoopbackIsRefused() throws Exception {
        var lo = create("{\"Name\": \"mv0\", \"Driver\": \"macvlan\", \"Options\": {\"parent\": \"lo\"}}");
        assertThat(lo.status()).isEqualTo(400);
        assertThat(lo.message()).contains("macvlan parent interface lo is not an Ethernet interface");
        var missing = create("{\"Name\": \"mv0\", \"Driver\": \"macvlan\", \"Options\": {\"parent\": \"nope0\"}}");
        assertThat(missing.status()).isEqualTo(404);
        var mtu = create("{\"Name\": \"mv0\", \"Driver\": \"macvlan\", \"Options\": {\"parent\": \"eth0\","
                + " \"com.docker.network.driver.mtu\": \"9000\"}}");
        assertThat(mtu.status()).isEqualTo(400);
        assertThat(mtu.message()).contains("larger than parent eth0's MTU 1500");
        Link before = host.links().get("eth0");
        assertThat(create("{\"Name\": \"mv\", \"Driver\": \"macvlan\", \"Options\": {\"parent\": \"eth0\"},"
                + " \"IPAM\": {\"Config\": [{\"Subnet\": \"192.0.2.0/24\", \"IPRange\": \"192.0.2.64/26\","
                + " \"Gateway\": \"192.0.2.254\"}]}}").status()).as("macvlan shares the parent's subnet").isEqualTo(201);
        assertThat(run("mc", "mv").status()).isEqualTo(201);
        assertThat(daemon.api.call("DELETE", "/v1/containers/mc?force=true", null).status()).isEqualTo(204);
        assertThat(daemon.api.call("DELETE", "/v1/networks/mv", null).status()).isEqualTo(204);
        Link after = host.links().get("eth0");
        assertThat(after.index()).isEqualTo(before.index());
        assertThat(after.masterIndex()).isZero();
        assertThat(after.up()).isTrue();
        assertThat(addresses("eth0")).containsOnly("192.0.2.1/24");
    }

    @Test
    void aSubnetCapturingTheHostsUplinkOrGatewayIsRefusedUnlessAllowed() throws Exception {
        var inside = create("{\"Name\": \"cut\", \"IPAM\": {\"Config\": [{\"Subnet\": \"192.0.2.128/25\"}]}}");
        assertThat(inside.status()).isEqualTo(400);
        assertThat(inside.message()).isEqualTo("subnet 192.0.2.128/25 overlaps 192.0.2.0/24 of the host's address 192.0.2.1/24"
                + " on eth0: the network would capture it and cut the host off from it (choose another subnet, or set"
                + " -o weft.network.allow_host_subnet=true to allow it)");
        host.routes().add(Route.via(IpPrefix.parse("198.18.0.0/15"), IpPrefix.parseAddress("203.0.113.254"))
                .withDevice(host.links().get("eth0").index()).withOnlink());
        var gateway = create("{\"Name\": \"cut\", \"IPAM\": {\"Config\": [{\"Subnet\": \"203.0.113.0/24\"}]}}");
        assertThat(gateway.status()).isEqualTo(400);
        assertThat(gateway.message()).startsWith("subnet 203.0.113.0/24 contains the gateway 203.0.113.254 of the host's route"
                + " 198.18.0.0/15 via 203.0.113.254 dev eth0");
        var route = create("{\"Name\": \"cut\", \"IPAM\": {\"Config\": [{\"Subnet\": \"198.19.0.0/24\"}]}}");
        assertThat(route.status()).isEqualTo(400);
        assertThat(route.message()).startsWith("subnet 198.19.0.0/24 overlaps the host's route 198.18.0.0/15");
        assertThat(daemon.api.call("GET", "/v1/networks", null).body()).isEmpty();
        assertThat(addresses("eth0")).containsOnly("192.0.2.1/24");

        var allowed = create("{\"Name\": \"cut\", \"IPAM\": {\"Config\": [{\"Subnet\": \"192.0.2.128/25\"}]},"
                + " \"Options\": {\"weft.network.allow_host_subnet\": \"true\"}}");
        assertThat(allowed.status()).as(allowed.body().toString()).isEqualTo(201);
        assertThat(create("{\"Name\": \"fine\", \"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.0/24\"}]}}").status())
                .isEqualTo(201);
    }
}
