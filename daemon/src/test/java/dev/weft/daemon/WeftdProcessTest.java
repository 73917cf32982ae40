package dev.weft.daemon;

import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** weftd as a process inside a simulated host: signals, restarts, and a second daemon. */
class WeftdProcessTest {

    private final List<Process> started = new ArrayList<>();

    /** Kills whatever a failed test left running, so no daemon outlives its namespace. */
    @org.junit.jupiter.api.AfterEach
    void killLeftovers() throws Exception {
        for (Process p : started) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Process weftd(SimulatedHost host, Path dir, String socketName) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), WeftdMain.class.getName(),
                "-H", "unix://" + dir.resolve(socketName), "--data-dir", dir.resolve("data").toString(),
                "--run-dir", dir.resolve("run").toString()));
        Process p = host.start(argv.toArray(String[]::new));
        started.add(p);
        return p;
    }

    /** Waits until weftd answers on {@code socket} (a killed predecessor may have left the file). */
    private static void awaitSocket(Path socket, Process p) throws Exception {
        try (ApiClient api = new ApiClient(socket)) {
            for (int i = 0; i < 300; i++) {
                if (!p.isAlive()) {
                    throw new AssertionError("weftd exited: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                }
                if (Files.exists(socket)) {
                    try {
                        if (api.call("GET", "/v1/_ping", null).status() == 200) {
                            return;
                        }
                    } catch (java.util.concurrent.ExecutionException notYet) {
                        // the old socket file of a killed weftd, or not listening yet
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("weftd did not start serving on " + socket);
    }

    @Test
    void sigtermStopsCleanlyASigkilledDaemonRestartsWithItsStateAndASecondIsRefused() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(1); RunDir dir = new RunDir()) {
            try {
                run(hosts.get(0), dir);
            } finally {
                killLeftovers(); // before the namespace and directory go
            }
        }
    }

    private void run(SimulatedHost host, RunDir dir) throws Exception {
        Path socket = dir.path().resolve("weft.sock");
        Process first = weftd(host, dir.path(), "weft.sock");
        awaitSocket(socket, first);
        try (ApiClient api = new ApiClient(socket)) {
            assertThat(api.call("POST", "/v1/networks/create",
                    "{\"Name\": \"keep\", \"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.0/24\"}]}}").status()).isEqualTo(201);
        }
        Process second = weftd(host, dir.path(), "second.sock");
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isEqualTo(1);
        assertThat(new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("is another weftd running on this data directory?");

        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
        Process again = weftd(host, dir.path(), "weft.sock");
        awaitSocket(socket, again);
        try (ApiClient api = new ApiClient(socket)) {
            var list = api.call("GET", "/v1/networks", null);
            assertThat(list.body()).singleElement().satisfies(n -> assertThat(n.path("Name").asText()).isEqualTo("keep"));
        }
        again.destroy(); // SIGTERM
        assertThat(again.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).isZero();
        assertThat(socket).doesNotExist();
        try (Rtnetlink nl = host.rtnetlink()) {
            assertThat(nl.links().list()).extracting(Link::name).anyMatch(n -> n.startsWith("wb-"))
                    .as("networking stays after a clean stop");
        }
    }
}
