package dev.weft.linux.rtnl;

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

class AddressesAndRoutesTest {
    private final ObjectMapper json = new ObjectMapper();
    private TestNamespaces namespaces;
    private Netns ns;
    private Rtnetlink nl;
    private int index;

    @BeforeEach
    void setUp() {
        namespaces = new TestNamespaces();
        ns = namespaces.create("a");
        nl = Rtnetlink.open(ns);
        nl.links().create(new LinkSpec.Veth("eth0", "wpeer"));
        nl.links().setUp("eth0");
        nl.links().setUp("wpeer");
        index = nl.links().get("eth0").index();
    }

    @AfterEach
    void tearDown() {
        nl.close();
        namespaces.close();
    }

    @Test
    void ipv4AndIpv6AddressesAddListDelete() throws Exception {
        IpPrefix v4 = IpPrefix.parse("192.0.2.5/24");
        IpPrefix v6 = IpPrefix.parse("2001:db8::5/64");
        nl.addresses().add("eth0", v4);
        nl.addresses().add(index, "eth0", v6);

        assertThat(nl.addresses().list("eth0")).extracting(Address::prefix).contains(v4, v6);
        JsonNode ip = json.readTree(Shell.run("ip", "-n", ns.name(), "-j", "addr", "show", "eth0")).get(0);
        assertThat(ip.get("addr_info").toString()).contains("\"local\":\"192.0.2.5\"", "\"prefixlen\":24",
                "\"local\":\"2001:db8::5\"", "\"prefixlen\":64");

        nl.addresses().delete("eth0", v4);
        nl.addresses().delete("eth0", v6);
        assertThat(nl.addresses().list("eth0")).extracting(Address::prefix).doesNotContain(v4, v6);
    }

    @Test
    void duplicateAndMissingAddressesAreTypedErrors() {
        IpPrefix v4 = IpPrefix.parse("198.51.100.7/24");
        nl.addresses().add("eth0", v4);
        assertThatThrownBy(() -> nl.addresses().add("eth0", v4)).isInstanceOf(KernelException.AlreadyExists.class)
                .hasMessage("cannot add address 198.51.100.7/24 to link \"eth0\" in namespace " + ns.name()
                        + ": File exists (EEXIST): ipv4: Address already assigned");
        assertThatThrownBy(() -> nl.addresses().delete("eth0", IpPrefix.parse("198.51.100.8/24")))
                .isInstanceOf(KernelException.NotFound.class);
        assertThatThrownBy(() -> nl.addresses().add("wmissing", v4)).isInstanceOf(KernelException.NotFound.class);
    }

    @Test
    void theDefaultRouteTheKernelUsesIsTheOneWithTheLowestMetric() {
        InetAddress v4 = IpPrefix.parseAddress("0.0.0.0");
        assertThat(nl.routes().defaultRoute(v4)).as("no default route yet").isEmpty();
        nl.links().create(new LinkSpec.Veth("eth1", "wpeer1"));
        nl.links().setUp("eth1");
        nl.links().setUp("wpeer1");
        int eth1 = nl.links().get("eth1").index();
        nl.addresses().add("eth0", IpPrefix.parse("192.0.2.5/24"));
        nl.addresses().add("eth1", IpPrefix.parse("198.51.100.5/24"));
        nl.routes().add(Route.defaultVia(IpPrefix.parseAddress("192.0.2.1")).withMetric(200));
        nl.routes().add(Route.defaultVia(IpPrefix.parseAddress("198.51.100.1")).withMetric(100));
        assertThat(nl.routes().defaultRoute(v4)).hasValueSatisfying(r -> {
            assertThat(r.outIndex()).isEqualTo(eth1);
            assertThat(r.metric()).isEqualTo(100);
        });
        assertThat(nl.routes().defaultRoute(IpPrefix.parseAddress("::"))).as("IPv4 routes only for IPv4").isEmpty();
    }

    @Test
    void badAddressTextIsRejectedBeforeTheKernel() {
        assertThatThrownBy(() -> IpPrefix.parse("192.0.2.300/24")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("192.0.2.300");
        assertThatThrownBy(() -> IpPrefix.parse("192.0.2.1/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpPrefix.parse("example.com")).isInstanceOf(IllegalArgumentException.class);
        assertThat(IpPrefix.parse("2001:db8:0:0:0:0:0:1").toString()).isEqualTo("2001:db8::1/128");
    }

    @Test
    void defaultRouteViaGatewayAddReplaceDelete() throws Exception {
        nl.addresses().add("eth0", IpPrefix.parse("192.0.2.5/24"));
        InetAddress gw = IpPrefix.parseAddress("192.0.2.1");
        nl.routes().add(Route.defaultVia(gw));

        assertThat(nl.routes().list(Route.MAIN_TABLE)).anySatisfy(r -> {
            assertThat(r.isDefault()).isTrue();
            assertThat(r.gateway()).isEqualTo(gw);
            assertThat(r.outIndex()).isEqualTo(index);
        });
        JsonNode ip = json.readTree(Shell.run("ip", "-n", ns.name(), "-j", "route", "show", "default")).get(0);
        assertThat(ip.get("gateway").asText()).isEqualTo("192.0.2.1");
        assertThat(ip.get("dev").asText()).isEqualTo("eth0");

        assertThatThrownBy(() -> nl.routes().add(Route.defaultVia(gw))).isInstanceOf(KernelException.AlreadyExists.class);
        InetAddress gw2 = IpPrefix.parseAddress("192.0.2.254");
        nl.routes().replace(Route.defaultVia(gw2));
        assertThat(nl.routes().list(Route.MAIN_TABLE)).filteredOn(Route::isDefault).extracting(Route::gateway)
                .containsExactly(gw2);

        nl.routes().delete(Route.defaultVia(gw2));
        assertThat(nl.routes().list(Route.MAIN_TABLE)).noneMatch(Route::isDefault);
        assertThat(nl.routes().deleteIfExists(Route.defaultVia(gw2))).isFalse();
    }

    @Test
    void onlinkGatewayOutsideAnyPrefixAndCustomTable() {
        nl.addresses().add("eth0", IpPrefix.parse("203.0.113.9/32"));
        InetAddress gw = IpPrefix.parseAddress("203.0.113.1");
        assertThatThrownBy(() -> nl.routes().add(Route.defaultVia(gw).withDevice(index)))
                .as("without onlink the gateway is unreachable").isInstanceOf(KernelException.class);
        nl.routes().add(Route.defaultVia(gw).withDevice(index).withOnlink());
        nl.routes().add(Route.direct(IpPrefix.parse("198.51.100.0/24"), index).withTable(100).withMetric(20));

        assertThat(nl.routes().list(Route.MAIN_TABLE)).anySatisfy(r -> assertThat(r.onlink()).isTrue());
        assertThat(nl.routes().list(100)).singleElement().satisfies(r -> {
            assertThat(r.destination()).isEqualTo(IpPrefix.parse("198.51.100.0/24"));
            assertThat(r.metric()).isEqualTo(20);
            assertThat(r.gateway()).isNull();
        });
        assertThat(Shell.run("ip", "-n", ns.name(), "route", "show", "table", "100"))
                .contains("198.51.100.0/24 dev eth0").contains("metric 20");
    }

    @Test
    void ipv6DefaultRoute() {
        nl.addresses().add("eth0", IpPrefix.parse("2001:db8:1::5/64"));
        InetAddress gw = IpPrefix.parseAddress("2001:db8:1::1");
        nl.routes().add(Route.defaultVia(gw).withDevice(index));
        assertThat(nl.routes().list(Route.MAIN_TABLE)).anySatisfy(r -> {
            assertThat(r.isDefault()).isTrue();
            assertThat(r.gateway()).isEqualTo(gw);
        });
        assertThat(Shell.run("ip", "-n", ns.name(), "-6", "route", "show", "default")).contains("via 2001:db8:1::1 dev eth0");
    }

    @Test
    void routeThroughAMissingDeviceIsNotFound() {
        assertThatThrownBy(() -> nl.routes().add(Route.direct(IpPrefix.parse("198.51.100.0/24"), 999_999)))
                .isInstanceOf(KernelException.NotFound.class).hasMessageContaining("cannot add route 198.51.100.0/24");
    }
}
