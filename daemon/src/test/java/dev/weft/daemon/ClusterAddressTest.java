package dev.weft.daemon;

import dev.weft.daemon.kernel.HostKernel;

import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Address;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.store.StoreUrl;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --bind-interface} and {@code --advertise} name host objects: they are read, never changed (issue 19). */
class ClusterAddressTest {
    private static ClusterOptions bind(String link) {
        return new ClusterOptions(StoreUrl.parse("etcd://127.0.0.1:2379"), null, link);
    }

    @Test
    void theUnderlayInterfaceIsOnlyReadAndLoopbackOrMissingOnesAreRefused() {
        try (TestNamespaces namespaces = new TestNamespaces()) {
            Netns host = namespaces.create("cla");
            try (Rtnetlink nl = Rtnetlink.open(host)) {
                nl.links().create(new LinkSpec.Veth("eth0", "uplink"));
                nl.addresses().add("eth0", IpPrefix.parse("192.0.2.1/24"));
                nl.links().setUp("eth0");
                nl.links().setUp("lo");
                Link before = nl.links().get("eth0");
                assertThat(IpPrefix.format(HostKernel.of(host).advertiseAddress(bind("eth0")))).isEqualTo("192.0.2.1");
                Link after = nl.links().get("eth0");
                assertThat(after).isEqualTo(before);
                assertThat(nl.addresses().list("eth0")).extracting(Address::prefix).extracting(IpPrefix::toString)
                        .contains("192.0.2.1/24").allMatch(a -> a.equals("192.0.2.1/24") || a.startsWith("fe80:"));

                assertThatThrownBy(() -> HostKernel.of(host).advertiseAddress(bind("lo"))).hasMessage(
                        "--bind-interface lo: its address 127.0.0.1 is a loopback address, which other hosts cannot reach");
                assertThatThrownBy(() -> HostKernel.of(host).advertiseAddress(bind("nope0")))
                        .hasMessage("--bind-interface nope0: no such interface");
                assertThatThrownBy(() -> HostKernel.of(host).advertiseAddress(new ClusterOptions(
                        StoreUrl.parse("etcd://127.0.0.1:2379"), "192.0.2.77", null))).hasMessage("--advertise 192.0.2.77 is not an address of this host");
            }
        }
    }
}
