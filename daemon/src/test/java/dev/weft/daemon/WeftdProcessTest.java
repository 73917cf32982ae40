package dev.weft.daemon;

import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.WeftdProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** weftd as a process inside a simulated host: signals, restarts, and a second daemon. */
class WeftdProcessTest {

    @Test
    void sigtermStopsCleanlyASigkilledDaemonRestartsWithItsStateAndASecondIsRefused() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(1); RunDir dir = new RunDir();
             WeftdProcess weftd = WeftdProcess.start(hosts.get(0), dir.path())) {
            run(hosts.get(0), dir, weftd);
        }
    }

    private void run(SimulatedHost host, RunDir dir, WeftdProcess weftd) throws Exception {
        Path socket = weftd.socket();
        try (ApiClient api = new ApiClient(socket)) {
            assertThat(api.call("POST", "/v1/networks/create",
                    "{\"Name\": \"keep\", \"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.0/24\"}]}}").status()).isEqualTo(201);
        }
        Process second = WeftdProcess.startSecond(host, dir.path(), "second.sock");
        try {
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            second.destroyForcibly();
        }
        assertThat(second.exitValue()).isEqualTo(1);
        assertThat(weftd.log()).contains("is another weftd running on this data directory?");

        weftd.kill();
        weftd.restart();
        try (ApiClient api = new ApiClient(socket)) {
            var list = api.call("GET", "/v1/networks", null);
            assertThat(list.body()).singleElement().satisfies(n -> assertThat(n.path("Name").asText()).isEqualTo("keep"));
        }
        assertThat(weftd.terminate()).isZero();
        assertThat(socket).doesNotExist();
        try (Rtnetlink nl = host.rtnetlink()) {
            assertThat(nl.links().list()).extracting(Link::name).anyMatch(n -> n.startsWith("wb-"))
                    .as("networking stays after a clean stop");
        }
    }
}
