package dev.weft.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.store.KvEntry;
import dev.weft.store.LocalStore;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.WeftdProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * weftd SIGKILLed at random moments while a request is in flight (run, rm, connect, disconnect,
 * service publish, attach, detach), restarted each time: after every restart each operation is
 * whole or gone (every sandbox is a listed container's, every endpoint joined to a live sandbox
 * or an unattached service, no address held twice), and at the end nothing of weft is left.
 */
class CrashChurnTest {
    private static final int KILLS = Integer.getInteger("weft.churn.kills", 200);
    private static final String[] NETS = {"churn", "side"};
    private final long seed = Long.getLong("weft.churn.seed", System.nanoTime());
    private final Random random = new Random(seed);
    /** Every address seen held, with the endpoint that held it. */
    private final Map<String, String> holders = new HashMap<>();
    private int next;
    private long restartNanos;

    @Test
    void everyOperationIsWholeOrGoneAfterEveryKillAndNothingIsLeftAtTheEnd() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(1); RunDir dir = new RunDir();
             WeftdProcess weftd = WeftdProcess.start(hosts.get(0), dir.path())) {
            try (ApiClient api = new ApiClient(weftd.socket())) {
                created(api.call("POST", "/v1/networks/create", "{\"Name\": \"churn\", \"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.0/24\"}]}}"));
                created(api.call("POST", "/v1/networks/create", "{\"Name\": \"side\", \"IPAM\": {\"Config\": [{\"Subnet\": \"203.0.113.0/24\"}]}}"));
                long start = System.nanoTime();
                Snapshot state = snapshot(api);
                for (int kill = 0; kill < KILLS; kill++) {
                    state = round(api, weftd, kill, state);
                }
                System.out.printf("churn: %d kills in %d ms, restarts %d ms of it (seed %d)%n", KILLS,
                        (System.nanoTime() - start) / 1_000_000, restartNanos / 1_000_000, seed);
                removeEverything(api);
            }
            assertThat(weftd.terminate()).isZero();
            assertNothingLeft(hosts.get(0), dir.path());
        }
    }

    /** One request in flight, SIGKILL after 0-400 ms, restart, then the invariants. */
    private Snapshot round(ApiClient api, WeftdProcess weftd, int kill, Snapshot before) throws Exception {
        String[] request = pick(before);
        restartNanos += KillDuring.request(api, weftd, request, random);
        Snapshot after = snapshot(api);
        String what = "after kill " + kill + " during " + String.join(" ", request[0], request[1], String.valueOf(request[2]))
                + " (seed " + seed + ")";
        after.check(what, holders);
        return after;
    }

    /** A random request fitting the current state: [method, path, body]. */
    private String[] pick(Snapshot s) {
        List<String> containers = new ArrayList<>(s.containers);
        String some = containers.isEmpty() ? null : containers.get(random.nextInt(containers.size()));
        String net = NETS[random.nextInt(NETS.length)];
        int dice = random.nextInt(100);
        if (some == null || dice < 30 || containers.size() < 3) {
            String name = "k" + next++;
            return new String[] {"POST", "/v1/containers/create", "{\"Name\": \"" + name + "\", \"Networks\": [\"churn\"], "
                    + "\"Cmd\": [\"sleep\", \"900\"]}"};
        }
        if (dice < 45) {
            return new String[] {"DELETE", "/v1/containers/" + some + "?force=true", null};
        }
        String body = "{\"Container\": \"" + some + "\"}";
        if (dice < 60) {
            return new String[] {"POST", "/v1/networks/side/connect", body};
        }
        if (dice < 72) {
            return new String[] {"POST", "/v1/networks/" + net + "/disconnect", body};
        }
        String service = "s" + random.nextInt(4) + ".churn";
        if (dice < 82) {
            return new String[] {"POST", "/v1/services/publish", "{\"Name\": \"" + service.substring(0, 2) + "\", \"Network\": \"churn\"}"};
        }
        if (dice < 92) {
            return new String[] {"POST", "/v1/services/" + service + "/attach", body};
        }
        return new String[] {"POST", "/v1/services/" + service + "/detach", body};
    }

    private void removeEverything(ApiClient api) throws Exception {
        for (JsonNode c : api.call("GET", "/v1/containers", null).body()) {
            assertThat(api.call("DELETE", "/v1/containers/" + c.path("Name").asText() + "?force=true", null).status()).isEqualTo(204);
        }
        for (JsonNode s : api.call("GET", "/v1/services", null).body()) {
            String key = s.path("Name").asText() + "." + s.path("Network").asText();
            assertThat(api.call("DELETE", "/v1/services/" + key + "?force=true", null).status()).as(key).isEqualTo(204);
        }
        assertThat(api.call("GET", "/v1/sandboxes", null).body()).as("sandboxes").isEmpty();
        for (String n : NETS) {
            var r = api.call("DELETE", "/v1/networks/" + n, null);
            assertThat(r.status()).as("network rm %s: %s (seed %d)", n, r.body(), seed).isEqualTo(204);
        }
    }

    private static void assertNothingLeft(SimulatedHost host, Path dir) throws Exception {
        try (LocalStore store = LocalStore.open(dir.resolve("data/weft.db"))) {
            assertThat(store.list("endpoints/")).as("endpoint records").isEmpty();
            assertThat(store.list("sandboxes/")).as("sandbox records").isEmpty();
            assertThat(store.list("ipam/").stream().map(KvEntry::key).filter(k -> k.contains("/addresses/")))
                    .as("held addresses").isEmpty();
        }
        try (Rtnetlink nl = host.rtnetlink()) {
            assertThat(nl.links().list()).extracting(Link::name).as("links of weft").noneMatch(n -> n.startsWith("w"));
        }
        assertThat(host.exec("nft", "list", "ruleset")).as("nftables").doesNotContain("198.51.100.", "203.0.113.");
        try (Stream<Path> files = Files.walk(dir.resolve("run"))) {
            assertThat(files.filter(Files::isRegularFile).toList()).as("files under the run directory").isEmpty();
        }
        String run = dir.resolve("run") + "/";
        assertThat(processesWritingUnder(run)).as("container processes left").isEmpty();
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).as("namespaces mounted under the run directory")
                .noneMatch(l -> l.contains(" nsfs ") && l.contains(run));
    }

    /** Processes whose output goes to a file under {@code dir} (a container's log, even deleted). */
    private static List<String> processesWritingUnder(String dir) {
        return ProcessHandle.allProcesses().filter(h -> {
            try {
                return Files.readSymbolicLink(Path.of("/proc", Long.toString(h.pid()), "fd", "1")).toString().startsWith(dir);
            } catch (Exception e) {
                return false;
            }
        }).map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList();
    }

    private static void created(ApiClient.Reply r) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
    }

    private static Snapshot snapshot(ApiClient api) throws Exception {
        Set<String> containers = new HashSet<>();
        for (JsonNode c : api.call("GET", "/v1/containers", null).body()) {
            containers.add(c.path("Name").asText());
        }
        Map<String, String> sandboxes = new HashMap<>();
        for (JsonNode s : api.call("GET", "/v1/sandboxes", null).body()) {
            sandboxes.put(s.path("Id").asText(), s.path("ContainerID").asText());
        }
        List<JsonNode> endpoints = new ArrayList<>();
        for (String n : NETS) {
            api.call("GET", "/v1/networks/" + n, null).body().path("Containers").forEach(endpoints::add);
        }
        List<JsonNode> services = new ArrayList<>();
        api.call("GET", "/v1/services", null).body().forEach(services::add);
        return new Snapshot(containers, sandboxes, endpoints, services);
    }

    private record Snapshot(Set<String> containers, Map<String, String> sandboxes, List<JsonNode> endpoints,
                            List<JsonNode> services) {
        void check(String what, Map<String, String> holders) {
            assertThat(new HashSet<>(sandboxes.values())).as("sandboxes are containers' %s", what).isEqualTo(containers);
            Set<String> ids = new HashSet<>();
            for (JsonNode e : endpoints) {
                ids.add(e.path("EndpointID").asText());
                assertThat(e.path("Orphaned").asBoolean()).as("orphaned %s %s", e, what).isFalse();
            }
            for (JsonNode s : services) {
                String name = s.path("Name").asText();
                String container = s.path("Container").asText(null);
                if (name.startsWith("k")) {
                    assertThat(container).as("endpoint %s is its container's, joined, %s", name, what).isEqualTo(name);
                } else if (container != null) {
                    assertThat(containers).as("service %s attached to a container %s", name, what).contains(container);
                }
            }
            for (JsonNode e : endpoints) {
                for (String ip : List.of(e.path("IPv4Address").asText(), e.path("IPv6Address").asText())) {
                    if (ip.isEmpty()) {
                        continue;
                    }
                    String id = e.path("EndpointID").asText();
                    String previous = holders.put(ip, id);
                    assertThat(previous == null || previous.equals(id) || !ids.contains(previous))
                            .as("%s held by %s and %s at once %s", ip, previous, id, what).isTrue();
                }
            }
        }
    }
}
