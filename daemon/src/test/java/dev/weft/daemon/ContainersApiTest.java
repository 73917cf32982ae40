package dev.weft.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Lightweight containers: real processes in their sandboxes, reaching each other by name. */
class ContainersApiTest {
    private DaemonFixture daemon;
    private ApiClient api;

    @BeforeEach
    void start() throws Exception {
        daemon = new DaemonFixture("ctr");
        api = daemon.api;
        api.call("POST", "/v1/networks/create", "{\"Name\": \"dev\", \"IPAM\": {\"Config\": [{\"Subnet\": \"192.0.2.0/24\"}]}}");
    }

    @AfterEach
    void stop() throws Exception {
        for (JsonNode c : api.call("GET", "/v1/containers", null).body()) {
            api.call("DELETE", "/v1/containers/" + c.path("Name").asText() + "?force=true", null);
        }
        daemon.close();
    }

    private JsonNode run(String name, String... cmd) throws Exception {
        StringBuilder json = new StringBuilder("{\"Name\": \"" + name + "\", \"Networks\": [\"dev\"], \"Cmd\": [");
        for (int i = 0; i < cmd.length; i++) {
            json.append(i == 0 ? "" : ", ").append('"').append(cmd[i]).append('"');
        }
        var r = api.call("POST", "/v1/containers/create", json.append("]}").toString());
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
        return r.body();
    }

    /** Runs a command inside the container's namespaces, as `weft exec` does. */
    private static String exec(long pid, String... cmd) throws Exception {
        List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "-m", "-u", "--"));
        argv.addAll(List.of(cmd));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() + ":" + out;
    }

    @Test
    void containersPingEachOtherByNameWithTheirOwnHostnameAndFiles() throws Exception {
        long c1 = run("c1", "sleep", "300").path("Pid").asLong();
        run("c2", "sleep", "300");
        assertThat(exec(c1, "hostname")).isEqualTo("0:c1\n");
        assertThat(exec(c1, "cat", "/etc/resolv.conf")).contains("nameserver 127.0.0.11");
        assertThat(exec(c1, "cat", "/etc/hosts")).contains("192.0.2.2\tc1");
        assertThat(exec(c1, "ping", "-c", "1", "-W", "2", "c2")).startsWith("0:").contains("192.0.2.3");
        assertThat(exec(c1, "ping", "-c", "1", "-W", "2", "c2.dev")).startsWith("0:");
        var list = api.call("GET", "/v1/containers", null).body();
        assertThat(list).hasSize(2).allSatisfy(c -> assertThat(c.path("Status").asText()).isEqualTo("running"));
    }

    /**
     * Forced removals of one container at once (ClusterFaultTest's crash waves sent them): one
     * removes it, the others answer 404 or 409 "already in progress", and nothing is left half
     * removed. Before, they ran side by side and a loser answered 409 "endpoint NAME is not joined
     * to sandbox ..." from the middle of the winner's removal.
     */
    @Test
    void concurrentForcedRemovalsOfOneContainerLeaveNothingHalfDone() throws Exception {
        for (int round = 0; round < 15; round++) {
            String name = "twice" + round;
            run(name, "sleep", "300");
            List<java.util.concurrent.Future<ApiClient.Reply>> removals = new ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
                for (int i = 0; i < 4; i++) {
                    removals.add(pool.submit(() -> api.call("DELETE", "/v1/containers/" + name + "?force=true", null)));
                }
            }
            int removed = 0;
            for (var f : removals) {
                ApiClient.Reply r = f.get();
                if (r.status() == 204) {
                    removed++;
                } else {
                    assertThat(r.status()).as("round %d: %s", round, r.body()).isIn(404, 409);
                    assertThat(r.message()).matches("no such container: " + name + "|removal of container " + name
                            + " is already in progress");
                }
            }
            assertThat(removed).as("round %d: removals that succeeded", round).isEqualTo(1);
            assertThat(api.call("GET", "/v1/containers/" + name, null).status()).isEqualTo(404);
            assertThat(api.call("GET", "/v1/sandboxes", null).body()).as("round %d", round).isEmpty();
            assertThat(api.call("GET", "/v1/networks/dev", null).body().path("Containers").size()).as("round %d", round).isZero();
        }
    }

    /** Removing a container walks every endpoint of every network: others removed meanwhile must not fail it (they did, 404). */
    @Test
    void containersRemovedAtOnceAllGo() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            names.add("r" + i);
            run("r" + i, "sleep", "300");
        }
        List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (String n : names) {
                pool.submit(() -> {
                    var r = api.call("DELETE", "/v1/containers/" + n + "?force=true", null);
                    statuses.add(r.status());
                    if (r.status() != 204) {
                        System.err.println("DELETE " + n + ": " + r.status() + " " + r.body());
                    }
                    return null;
                });
            }
        }
        assertThat(statuses).hasSize(24).containsOnly(204);
        assertThat(api.call("GET", "/v1/containers", null).body()).isEmpty();
        assertThat(api.call("GET", "/v1/sandboxes", null).body()).isEmpty();
        assertThat(api.call("GET", "/v1/networks/dev", null).body().path("Containers").size()).isZero();
    }

    /** A name that is also the start of another container's ID names its own container (it named the other one: 409, wrong removal). */
    @Test
    void aNameWinsOverAnotherContainersIdPrefix() throws Exception {
        String id = run("x1", "sleep", "300").path("Id").asText();
        String prefixName = id.substring(0, 5);
        run(prefixName, "sleep", "300"); // refused before: "container name ... is already in use"
        assertThat(api.call("GET", "/v1/containers/" + prefixName, null).body().path("Name").asText()).isEqualTo(prefixName);
        assertThat(api.call("DELETE", "/v1/containers/" + prefixName + "?force=true", null).status()).isEqualTo(204);
        assertThat(api.call("GET", "/v1/containers/x1", null).body().path("Status").asText()).isEqualTo("running");
        assertThat(api.call("GET", "/v1/containers/" + id.substring(0, 6), null).body().path("Name").asText()).isEqualTo("x1");
        assertThat(api.call("GET", "/v1/containers", null).body()).hasSize(1);
    }

    @Test
    void exitedContainersKeepTheirLogsUntilRemoved() throws Exception {
        run("once", "echo", "hello from once");
        for (int i = 0; i < 100 && api.call("GET", "/v1/containers/once", null).body().path("Status").asText().equals("running"); i++) {
            Thread.sleep(50);
        }
        var c = api.call("GET", "/v1/containers/once", null).body();
        assertThat(c.path("Status").asText()).isEqualTo("exited");
        assertThat(c.path("ExitCode").asInt()).isZero();
        assertThat(api.call("GET", "/v1/containers/once/logs", null).body().path("Logs").asText()).isEqualTo("hello from once\n");
        assertThat(api.call("DELETE", "/v1/containers/once", null).status()).isEqualTo(204);
        assertThat(api.call("GET", "/v1/containers/once", null).status()).isEqualTo(404);
        assertThat(api.call("GET", "/v1/sandboxes", null).body()).isEmpty();
        assertThat(api.call("GET", "/v1/networks/dev", null).body().path("Containers").size()).isZero();
    }

    @Test
    void aPublishedServiceResolvesAndRemovalNeedsForceWhileRunning() throws Exception {
        var r = api.call("POST", "/v1/containers/create",
                "{\"Name\": \"web\", \"Networks\": [\"dev\"], \"PublishService\": \"svc1.dev\", \"Cmd\": [\"sleep\", \"300\"]}");
        assertThat(r.status()).isEqualTo(201);
        long client = run("client", "sleep", "300").path("Pid").asLong();
        assertThat(exec(client, "ping", "-c", "1", "-W", "2", "svc1")).startsWith("0:");
        var busy = api.call("DELETE", "/v1/containers/web", null);
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.message()).isEqualTo("container web is running; stop it first or use force");
        assertThat(api.call("DELETE", "/v1/containers/web?force=true", null).status()).isEqualTo(204);
        assertThat(api.call("GET", "/v1/services/svc1.dev", null).body().path("Container").isNull())
                .as("the service stays published, detached").isTrue();
    }

    @Test
    void badRunsAreClearAndLeaveNothing() throws Exception {
        assertThat(api.call("POST", "/v1/containers/create", "{\"Name\": \"x\"}").message()).isEqualTo("a container needs a command (Cmd)");
        var noNet = api.call("POST", "/v1/containers/create", "{\"Name\": \"x\", \"Networks\": [\"nope\"], \"Cmd\": [\"true\"]}");
        assertThat(noNet.status()).isEqualTo(404);
        assertThat(api.call("GET", "/v1/sandboxes", null).body()).as("rolled back").isEmpty();
        run("dup", "sleep", "300");
        assertThat(api.call("POST", "/v1/containers/create", "{\"Name\": \"dup\", \"Cmd\": [\"true\"]}").status()).isEqualTo(409);
        assertThat(api.call("GET", "/v1/containers/ghost/logs", null).status()).isEqualTo(404);
    }
}
