package dev.weft.linux.rtnl;

import dev.weft.net.MacAddress;

import dev.weft.net.IpPrefix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.linux.KernelException;
import dev.weft.linux.Shell;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinksTest {
    private final ObjectMapper json = new ObjectMapper();
    private TestNamespaces namespaces;
    private Netns host;
    private Netns container;
    private Rtnetlink nl;

    @BeforeEach
    void setUp() {
        namespaces = new TestNamespaces();
        host = namespaces.create("h");
        container = namespaces.create("c");
        nl = Rtnetlink.open(host);
    }

    @AfterEach
    void tearDown() {
        nl.close();
        namespaces.close();
    }

    @Test
    void vethPeerIsCreatedDirectlyInsideTheTargetNamespace() throws Exception {
        MacAddress mac = MacAddress.parse("02:42:c0:00:02:05");
        nl.links().create(new LinkSpec.Veth("wv1", "eth0", container, 1400, null, mac));

        Link hostEnd = nl.links().get("wv1");
        assertThat(hostEnd.kind()).isEqualTo("veth");
        assertThat(hostEnd.mtu()).isEqualTo(1400);
        assertThat(nl.links().find("eth0")).isEmpty();
        try (Rtnetlink inside = Rtnetlink.open(container)) {
            Link peer = inside.links().get("eth0");
            assertThat(peer.mac()).isEqualTo(mac);
            assertThat(peer.mtu()).isEqualTo(1400);
        }
        JsonNode ip = json.readTree(Shell.run("ip", "-n", container.name(), "-j", "link", "show", "eth0")).get(0);
        assertThat(ip.get("address").asText()).isEqualTo("02:42:c0:00:02:05");
        assertThat(ip.get("mtu").asInt()).isEqualTo(1400);
    }

    @Test
    void setUpMtuMacRenameAndDelete() throws Exception {
        nl.links().create(new LinkSpec.Veth("wva", "wvb"));
        nl.links().setUp("wva");
        nl.links().setMtu("wva", 1300);
        MacAddress mac = MacAddress.random();
        nl.links().setMac("wva", mac);
        nl.links().rename("wvb", "wvc");

        Link a = nl.links().get("wva");
        assertThat(a.up()).isTrue();
        assertThat(a.mtu()).isEqualTo(1300);
        assertThat(a.mac()).isEqualTo(mac);
        assertThat(nl.links().get(a.index()).name()).isEqualTo("wva");
        assertThat(nl.links().find("wvb")).isEmpty();
        Link c = nl.links().get("wvc");
        assertThat(c.parentIndex()).isEqualTo(a.index());
        JsonNode ip = json.readTree(Shell.run("ip", "-n", host.name(), "-j", "link", "show", "wva")).get(0);
        assertThat(ip.get("flags").toString()).contains("UP");
        assertThat(ip.get("mtu").asInt()).isEqualTo(1300);

        nl.links().setDown("wva");
        assertThat(nl.links().get("wva").up()).isFalse();
        nl.links().delete("wva");
        assertThat(nl.links().find("wva")).isEmpty();
        assertThat(nl.links().find("wvc")).as("a veth's peer goes with it").isEmpty();
        assertThat(nl.links().deleteIfExists("wva")).isFalse();
    }

    @Test
    void bridgeMasterAndPortOptions() {
        nl.links().create(new LinkSpec.Bridge("wb0", 1450, null));
        nl.links().create(new LinkSpec.Veth("wv0", "wv0p"));
        nl.links().setMaster("wv0", "wb0");
        nl.links().setBridgePort("wv0", new BridgePort(true, false, null, null, null));

        Link bridge = nl.links().get("wb0");
        Link port = nl.links().get("wv0");
        assertThat(bridge.kind()).isEqualTo("bridge");
        assertThat(port.masterIndex()).isEqualTo(bridge.index());
        assertThat(port.port().hairpin()).isTrue();
        assertThat(port.port().learning()).isFalse();
        assertThat(Shell.run("ip", "-n", host.name(), "-d", "link", "show", "wv0")).contains("hairpin on");

        nl.links().setNoMaster("wv0");
        assertThat(nl.links().get("wv0").masterIndex()).isZero();
    }

    @Test
    void vethCreatedUpOnABridgeInOneRequest() {
        nl.links().create(new LinkSpec.Bridge("wb1"));
        nl.links().create(new LinkSpec.Veth("wv1", "eth0", container, 0, null, null, "wb1", true));
        Link v = nl.links().get("wv1");
        assertThat(v.up()).isTrue();
        assertThat(v.masterIndex()).isEqualTo(nl.links().get("wb1").index());
        assertThatThrownBy(() -> nl.links().create(new LinkSpec.Veth("wv2", "eth1", container, 0, null, null, "wbnone", true)))
                .isInstanceOf(KernelException.NotFound.class).hasMessageContaining("master device \"wbnone\" does not exist");
        assertThat(nl.links().find("wv2")).isEmpty();
    }

    @Test
    void vxlanWithIdLocalPortAndFlags() {
        InetAddress local = IpPrefix.parseAddress("192.0.2.10");
        nl.links().create(new LinkSpec.Vxlan("wx42", 42, local, 4790, null, false, true, false, 1450));
        Link x = nl.links().get("wx42");
        assertThat(x.kind()).isEqualTo("vxlan");
        assertThat(x.vxlan().vni()).isEqualTo(42);
        assertThat(x.vxlan().local()).isEqualTo(local);
        assertThat(x.vxlan().port()).isEqualTo(4790);
        assertThat(x.vxlan().learning()).isFalse();
        assertThat(x.vxlan().proxy()).isTrue();
        assertThat(Shell.run("ip", "-n", host.name(), "-d", "link", "show", "wx42"))
                .contains("vxlan id 42").contains("local 192.0.2.10").contains("dstport 4790").contains("nolearning");
    }

    @Test
    void macvlanOnAParentWithMode() {
        nl.links().create(new LinkSpec.Veth("wvp", "wvq"));
        nl.links().create(new LinkSpec.Macvlan("wm0", "wvp", MacvlanMode.PRIVATE, 0, null));
        Link m = nl.links().get("wm0");
        assertThat(m.kind()).isEqualTo("macvlan");
        assertThat(m.macvlanMode()).isEqualTo(MacvlanMode.PRIVATE);
        assertThat(m.parentIndex()).isEqualTo(nl.links().get("wvp").index());
    }

    @Test
    void macvlanCreatedDirectlyInsideAnotherNamespace() {
        nl.links().create(new LinkSpec.Veth("wvp", "wvq"));
        MacAddress mac = MacAddress.parse("02:42:c6:33:64:0a");
        nl.links().create(new LinkSpec.Macvlan("eth0", "wvp", MacvlanMode.BRIDGE, 1400, mac, container));
        assertThat(nl.links().find("eth0")).isEmpty();
        try (Rtnetlink inside = Rtnetlink.open(container)) {
            Link m = inside.links().get("eth0");
            assertThat(m.kind()).isEqualTo("macvlan");
            assertThat(m.mac()).isEqualTo(mac);
            assertThat(m.mtu()).isEqualTo(1400);
        }
        assertThatThrownBy(() -> nl.links().create(new LinkSpec.Macvlan("eth0", "wvp", MacvlanMode.BRIDGE, 0, null, container)))
                .isInstanceOf(KernelException.AlreadyExists.class).hasMessageContaining("(into namespace " + container.name() + ")");
    }

    @Test
    void moveToAnotherNamespace() {
        nl.links().create(new LinkSpec.Veth("wvm", "wvn"));
        nl.links().moveTo("wvn", container);
        assertThat(nl.links().find("wvn")).isEmpty();
        try (Rtnetlink inside = Rtnetlink.open(container)) {
            assertThat(inside.links().get("wvn").kind()).isEqualTo("veth");
        }
    }

    @Test
    void listIncludesLoopbackAndNewLinks() {
        nl.links().create(new LinkSpec.Bridge("wbl"));
        assertThat(nl.links().list()).extracting(Link::name).contains("lo", "wbl");
    }

    @Test
    void dumpsThatSpanManyDatagramsAreReadWhole() {
        for (int i = 0; i < 300; i++) {
            nl.links().create(new LinkSpec.Bridge("wbm" + i));
        }
        assertThat(nl.links().list()).filteredOn(l -> l.name().startsWith("wbm")).hasSize(300);
        assertThat(Shell.run("ip", "-n", host.name(), "-o", "link", "show").lines()
                .filter(l -> l.contains(": wbm")).count()).isEqualTo(300);
    }

    @Test
    void duplicateNameIsATypedErrorNamingTheObjectAndNamespace() {
        nl.links().create(new LinkSpec.Veth("wvd", "wve", container));
        assertThatThrownBy(() -> nl.links().create(new LinkSpec.Veth("wvd", "wvf")))
                .isInstanceOf(KernelException.AlreadyExists.class)
                .hasMessageStartingWith("cannot create veth \"wvd\" (peer \"wvf\") in namespace " + host.name()
                        + ": File exists (EEXIST)");
        assertThat(nl.links().find("wvf")).as("nothing half-made").isEmpty();
    }

    @Test
    void peerNameTakenInsideTheTargetNamespaceLeavesNothingBehind() {
        nl.links().create(new LinkSpec.Veth("wv1", "eth0", container));
        assertThatThrownBy(() -> nl.links().create(new LinkSpec.Veth("wv2", "eth0", container)))
                .isInstanceOf(KernelException.AlreadyExists.class);
        assertThat(nl.links().find("wv2")).isEmpty();
    }

    @Test
    void missingParentIsNotFoundAndNamesTheParent() {
        assertThatThrownBy(() -> nl.links().create(new LinkSpec.Macvlan("wm1", "wnope", MacvlanMode.BRIDGE, 0, null)))
                .isInstanceOf(KernelException.NotFound.class)
                .hasMessageContaining("cannot create macvlan \"wm1\"")
                .hasMessageContaining("parent device \"wnope\" does not exist");
        assertThat(nl.links().find("wm1")).isEmpty();
    }

    @Test
    void missingLinkAndBadNameAreTypedErrors() {
        assertThatThrownBy(() -> nl.links().get("wnothere")).isInstanceOf(KernelException.NotFound.class)
                .hasMessageContaining("\"wnothere\"");
        assertThatThrownBy(() -> nl.links().setUp("wnothere")).isInstanceOf(KernelException.NotFound.class);
        assertThatThrownBy(() -> nl.links().create(new LinkSpec.Bridge("a-name-that-is-too-long")))
                .isInstanceOf(KernelException.InvalidArgument.class);
    }

    @Test
    void kernelExtendedAckTextIsKept() {
        nl.links().create(new LinkSpec.Bridge("wbx"));
        // a bridge cannot be enslaved to itself; the kernel explains why in its extended ack
        assertThatThrownBy(() -> nl.links().setMaster("wbx", "wbx"))
                .isInstanceOf(KernelException.class)
                .satisfies(e -> assertThat(((KernelException) e).kernelMessage()).isNotBlank());
    }
}
