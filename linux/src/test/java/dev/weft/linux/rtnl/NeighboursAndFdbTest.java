package dev.weft.linux.rtnl;

import dev.weft.net.MacAddress;

import dev.weft.net.IpPrefix;

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

class NeighboursAndFdbTest {
    private TestNamespaces namespaces;
    private Netns ns;
    private Rtnetlink nl;

    @BeforeEach
    void setUp() {
        namespaces = new TestNamespaces();
        ns = namespaces.create("n");
        nl = Rtnetlink.open(ns);
        nl.links().create(new LinkSpec.Vxlan("wx1", 4242, IpPrefix.parseAddress("192.0.2.1"), 0, null, false, true,
                false, 1450));
        nl.links().setUp("wx1");
    }

    @AfterEach
    void tearDown() {
        nl.close();
        namespaces.close();
    }

    @Test
    void permanentNeighboursForIpv4AndIpv6AreReplaceableAndDeletable() {
        InetAddress v4 = IpPrefix.parseAddress("198.51.100.20");
        InetAddress v6 = IpPrefix.parseAddress("2001:db8::20");
        MacAddress mac = MacAddress.parse("02:42:c6:33:64:14");
        nl.neighbours().replace("wx1", v4, mac);
        nl.neighbours().replace("wx1", v4, mac); // replaying an event is harmless
        nl.neighbours().replace("wx1", v6, mac);

        assertThat(nl.neighbours().list("wx1")).contains(
                new Neighbour(nl.links().get("wx1").index(), v4, mac, true),
                new Neighbour(nl.links().get("wx1").index(), v6, mac, true));
        assertThat(Shell.run("ip", "-n", ns.name(), "neigh", "show", "dev", "wx1"))
                .contains("198.51.100.20 lladdr 02:42:c6:33:64:14 PERMANENT");

        nl.neighbours().delete("wx1", v4);
        assertThat(nl.neighbours().deleteIfExists("wx1", v4)).isFalse();
        // the kernel adds multicast (MLD) entries of its own; ours are the permanent ones
        assertThat(nl.neighbours().list("wx1")).filteredOn(Neighbour::permanent).extracting(Neighbour::ip)
                .containsExactly(v6);
    }

    @Test
    void vxlanFdbEntriesPointAtRemoteVteps() {
        MacAddress mac = MacAddress.parse("02:42:c6:33:64:15");
        InetAddress vtep1 = IpPrefix.parseAddress("192.0.2.2");
        InetAddress vtep2 = IpPrefix.parseAddress("192.0.2.3");
        MacAddress flood = MacAddress.parse("00:00:00:00:00:00");
        nl.fdb().replace("wx1", mac, vtep1);
        nl.fdb().replace("wx1", mac, vtep2); // moved to another host: one entry, new destination
        nl.fdb().append("wx1", flood, vtep1);
        nl.fdb().append("wx1", flood, vtep2);

        assertThat(nl.fdb().list("wx1")).filteredOn(e -> e.mac().equals(mac)).extracting(FdbEntry::destination)
                .containsExactly(vtep2);
        assertThat(nl.fdb().list("wx1")).filteredOn(e -> e.mac().equals(flood)).extracting(FdbEntry::destination)
                .containsExactlyInAnyOrder(vtep1, vtep2);
        assertThat(Shell.run("bridge", "-n", ns.name(), "fdb", "show", "dev", "wx1"))
                .contains("02:42:c6:33:64:15 dst 192.0.2.3 self permanent");

        nl.fdb().delete("wx1", mac, vtep2);
        assertThat(nl.fdb().deleteIfExists("wx1", mac, vtep2)).isFalse();
        assertThat(nl.fdb().list("wx1")).noneMatch(e -> e.mac().equals(mac));
    }

    @Test
    void errorsNameTheEntry() {
        MacAddress mac = MacAddress.parse("02:00:00:00:00:01");
        assertThatThrownBy(() -> nl.fdb().delete("wx1", mac, IpPrefix.parseAddress("192.0.2.9")))
                .isInstanceOf(KernelException.NotFound.class)
                .hasMessageContaining("delete fdb entry 02:00:00:00:00:01 dst 192.0.2.9 on link \"wx1\"");
        assertThatThrownBy(() -> MacAddress.parse("02:00:00:00:01")).isInstanceOf(IllegalArgumentException.class);
    }
}
