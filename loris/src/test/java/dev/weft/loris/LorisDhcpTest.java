package dev.weft.loris;

import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Rtnetlink;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** dnsmasq in a container on pod 5 of host 0 serves a container on pod 5 of host 1, across a VXLAN tunnel. */
class LorisDhcpTest {

    @Test
    void aLeaseComesFromThePodsServerIsRenewedAndReleased() throws Exception {
        try (LorisHosts lh = new LorisHosts(2)) {
            for (int i = 0; i < 2; i++) {
                lh.ok(i, "init");
                lh.ok(i, "cluster", "192.0.2.1", "192.0.2.2");
            }
            Netns server = lh.container("dhs");
            lh.ok(0, "connect", server.path().toString(), "198.51.100.1/24", "5");
            Path leases = lh.ovs.get(0).dir().resolve("dnsmasq.leases");
            Process dnsmasq = lh.dnsmasq(0, server, leases);
            try {
                Netns client = lh.container("dhc");
                String out = lh.ok(1, "connect", client.path().toString(), "dhcp", "5");
                assertThat(out).containsPattern("eth1 pod 5 198\\.51\\.100\\.(5\\d|60)/24");
                String mac = out.trim().split(" ")[5];
                assertThat(addressOf(client)).startsWith("198.51.100.");
                await(() -> read(leases).contains(mac), "dnsmasq recorded the lease");
                assertThat(LorisHosts.pingSoon(client, "198.51.100.1")).isTrue();
                assertThat(LorisHosts.tcp(server, client, addressOf(client).split("/")[0])).as("TCP to the leased address").isTrue();

                String port = lh.ovs.get(1).vsctl("--bare", "--columns=name", "find", "port", "external_ids:loris-dhcp=true").trim();
                assertThat(lh.ovs.get(1).vsctl("get", "port", port, "external_ids:loris-dhcp-server").trim()).isEqualTo("\"198.51.100.1\"");
                long udhcpc = Long.parseLong(Files.readString(lh.ovs.get(1).dir().resolve("loris").resolve(port + ".udhcpc.pid")).trim());
                new ProcessBuilder("kill", "-USR1", Long.toString(udhcpc)).start().waitFor();
                await(() -> lh.ovs.get(1).vsctl("get", "port", port, "external_ids:loris-dhcp-renewals").trim().equals("\"1\""),
                        "the renewal was recorded");
                assertThat(lh.ok(1, "status")).contains("dhcp running").contains("renewals 1");

                assertThat(lh.ok(1, "disconnect", client.path().toString())).contains("removed " + port);
                await(() -> !read(leases).contains(mac), "dnsmasq dropped the released lease");
                assertThat(ProcessHandle.of(udhcpc).map(ProcessHandle::isAlive).orElse(false)).isFalse();

                // nobody serves DHCP on pod 6: the connect fails and leaves nothing behind
                Netns lonely = lh.container("dhl");
                LorisHosts.Run r = lh.loris(1, "connect", lonely.path().toString(), "dhcp", "6");
                assertThat(r.exit()).isEqualTo(1);
                assertThat(r.err()).startsWith("loris: no DHCP server answered on pod 6").hasLineCount(1);
                assertThat(lh.ovs.get(1).vsctl("--bare", "--columns=name", "find", "port", "external_ids:loris-pod=6").trim()).isEmpty();
                assertThat(lonely.call(() -> {
                    try (Rtnetlink nl = Rtnetlink.open()) {
                        return nl.links().find("eth1").isPresent();
                    }
                })).isFalse();
                for (int i = 0; i < 2; i++) {
                    lh.ok(i, "cleanup");
                }
            } finally {
                dnsmasq.destroy();
                dnsmasq.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static String addressOf(Netns ns) throws Exception {
        return ns.call(() -> {
            try (Rtnetlink nl = Rtnetlink.open()) {
                return nl.addresses().list("eth1").stream().filter(a -> a.prefix().isIpv4()).findFirst()
                        .map(a -> a.prefix().toString()).orElse("");
            }
        });
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }
}
