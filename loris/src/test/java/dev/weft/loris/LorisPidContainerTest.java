package dev.weft.loris;

import dev.weft.linux.netns.Netns;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A container named by its pid: its DHCP lease lives as long as it does. (Weft containers: daemon's OvsNetworkTest.) */
class LorisPidContainerTest {

    @Test
    void aPidContainersLeaseEndsWithIt() throws Exception {
        try (LorisHosts lh = new LorisHosts(1)) {
            lh.ok(0, "init");
            Netns server = lh.container("dhs");
            lh.ok(0, "connect", server.path().toString(), "198.51.100.1/24", "7");
            Path leases = lh.ovs.get(0).dir().resolve("dnsmasq.leases");
            Process dnsmasq = lh.dnsmasq(0, server, leases);
            // a "container": a process in a network namespace of its own, which dies with it
            Process container = new ProcessBuilder("unshare", "--net", "sleep", "600").start();
            try {
                String out = lh.ok(0, "connect", Long.toString(container.pid()), "dhcp", "7");
                String mac = out.trim().split(" ")[5];
                assertThat(Files.readString(leases)).contains(mac);
                container.destroy();
                container.waitFor(5, TimeUnit.SECONDS);
                long deadline = System.currentTimeMillis() + 15_000;
                while (Files.readString(leases).contains(mac) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(Files.readString(leases)).as("the lease was released when the container ended").doesNotContain(mac);
                // its port goes from the database once its veth is gone (status sweeps)
                deadline = System.currentTimeMillis() + 10_000;
                while (lh.ok(0, "status").contains(mac) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(200);
                }
                assertThat(lh.ok(0, "status")).doesNotContain(mac);
                assertThat(lh.ovs.get(0).vsctl("--bare", "--columns=name", "find", "port", "external_ids:loris-dhcp=true").trim()).isEmpty();
                lh.ok(0, "cleanup");
            } finally {
                container.destroyForcibly();
                dnsmasq.destroy();
                dnsmasq.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
