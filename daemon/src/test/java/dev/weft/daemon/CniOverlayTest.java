package dev.weft.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.linux.TestNamespaces;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
import dev.weft.testkit.WeftdProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Multi-host through CNI: two simulated hosts whose weftds share a real etcd (on a third), each
 * attaching a container through weft's plugin executable to one overlay network named in the
 * same configuration; the containers reach each other by address across the hosts, and DEL on
 * each host leaves no interface.
 */
class CniOverlayTest {

    @Test
    void containersOnTwoHostsShareAnOverlayNetwork() throws Exception {
        assumeTrue(CniShim.built() && Files.isExecutable(Path.of("/usr/bin/etcd")), "needs the shim and etcd-server");
        String cfg = "{\"cniVersion\":\"1.1.0\",\"name\":\"wtcov\",\"type\":\"weft\",\"driver\":\"overlay\","
                + "\"subnet\":\"203.0.113.0/24\"}";
        try (RunDir dir = new RunDir(); SimulatedHosts hosts = SimulatedHosts.create(3);
             StoreServer etcd = StoreServer.etcd(hosts.get(2), dir.path().resolve("etcd"));
             WeftdProcess w0 = WeftdProcess.sharing(hosts.get(0), dir.path().resolve("w0"), etcd.url());
             WeftdProcess w1 = WeftdProcess.sharing(hosts.get(1), dir.path().resolve("w1"), etcd.url());
             TestNamespaces containers = new TestNamespaces()) {
            CniShim s0 = new CniShim(hosts.get(0), w0.socket());
            CniShim s1 = new CniShim(hosts.get(1), w1.socket());
            Path c0 = containers.create("c").path();
            Path c1 = containers.create("c").path();
            JsonNode r0 = s0.add(cfg, "ovl0", c0).ok();
            JsonNode r1 = s1.add(cfg, "ovl1", c1).ok();
            String a0 = r0.path("ips").get(0).path("address").asText().split("/")[0];
            String a1 = r1.path("ips").get(0).path("address").asText().split("/")[0];
            assertThat(a0).isNotEqualTo(a1).startsWith("203.0.113.");
            boolean reached = false;
            for (int i = 0; i < 20 && !reached; i++) { // the other host programs its forwarding entries from the store
                reached = CniVerbsTest.ping(c0, a1);
            }
            assertThat(reached).as("host 0's container reaches host 1's: " + w0.log()).isTrue();
            assertThat(CniVerbsTest.ping(c1, a0)).isTrue();
            s0.del(cfg, "ovl0", c0).ok();
            s1.del(cfg, "ovl1", c1).ok();
            try (ApiClient api = new ApiClient(w0.socket())) {
                assertThat(api.call("GET", "/v1/networks/wtcov", null).body().path("Containers").size()).isZero();
                assertThat(api.call("DELETE", "/v1/networks/wtcov", null).status()).isEqualTo(204);
            }
        }
    }
}
