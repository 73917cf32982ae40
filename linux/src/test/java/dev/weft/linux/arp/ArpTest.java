package dev.weft.linux.arp;

import dev.weft.linux.Shell;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.net.MacAddress;
import dev.weft.linux.rtnl.Neighbour;
import dev.weft.linux.rtnl.Rtnetlink;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ArpTest {

    @Test
    void aNeighbourLearnsTheNewMacOfAnAddressFromTheAnnouncement() throws Exception {
        try (TestNamespaces namespaces = new TestNamespaces()) {
            Netns a = namespaces.create("a");
            Netns b = namespaces.create("b");
            try (Rtnetlink na = Rtnetlink.open(a); Rtnetlink nb = Rtnetlink.open(b)) {
                na.links().create(new LinkSpec.Veth("wta", "wtb", b));
                na.addresses().add("wta", IpPrefix.parse("192.0.2.1/24"));
                nb.addresses().add("wtb", IpPrefix.parse("192.0.2.2/24"));
                na.links().setUp("wta");
                nb.links().setUp("wtb");
                Shell.run("nsenter", "--net=" + b.path(), "ping", "-c", "1", "-W", "2", "192.0.2.1");
                MacAddress old = na.links().get("wta").mac();
                assertThat(learned(nb)).contains(old);

                MacAddress moved = MacAddress.parse("02:00:5e:00:53:01");
                na.links().setMac("wta", moved);
                Thread.sleep(1100); // past the kernel's arp locktime, so the update is not ignored
                Arp.announce(a, "wta", (Inet4Address) IpPrefix.parseAddress("192.0.2.1"), 2);
                long deadline = System.currentTimeMillis() + 3000;
                while (!learned(nb).equals(Optional.of(moved)) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(learned(nb)).contains(moved);
            }
        }
    }

    @Test
    void thePacketIsAnArpRequestForTheAddressItself() {
        byte[] p = Arp.packet(new byte[] {2, 0, 0x5e, 0, 0x53, 1}, new byte[] {(byte) 192, 0, 2, 1});
        assertThat(p).hasSize(28);
        assertThat(p[7]).isEqualTo((byte) 1); // opcode request
        assertThat(java.util.Arrays.copyOfRange(p, 14, 18)).isEqualTo(java.util.Arrays.copyOfRange(p, 24, 28));
    }

    private static Optional<MacAddress> learned(Rtnetlink nb) {
        return nb.neighbours().list("wtb").stream().filter(n -> n.ip().getHostAddress().equals("192.0.2.1"))
                .map(Neighbour::mac).filter(java.util.Objects::nonNull).findFirst();
    }
}
