package dev.weft.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.weft.linux.rtnl.FdbEntry;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Neighbour;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
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
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The two-host half of the churn test: host A's weftd is SIGKILLed at random moments while it
 * runs, removes, connects and disconnects containers on two overlay networks shared over a
 * real etcd with host B, and restarted each time. After every restart, host B's kernel holds a
 * forwarding and a neighbour entry towards A for exactly the endpoints A still has (none for a
 * container that is gone or was never finished), the global address space holds exactly the
 * live endpoints' addresses, and no address was ever held by two endpoints at once. At the end,
 * with every container removed, B holds no entry towards A and etcd holds no address.
 */
class OverlayCrashChurnTest {
    private static final int KILLS = Integer.getInteger("weft.overlaychurn.kills", 30);
    private static final String[] NETS = {"ochurn", "oside"};
    private static final String SUBNETS = "203.0.113.0_24 198.51.100.0_24";
    private final long seed = Long.getLong("weft.overlaychurn.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Map<String, String> holders = new HashMap<>();
    private int next;

    @Test
    void theOtherHostForgetsVanishedContainersAndNoGlobalAddressStaysHeld() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/etcd")), "needs etcd-server");
        try (RunDir dir = new RunDir(); SimulatedHosts hosts = SimulatedHosts.create(3);
             StoreServer etcd = StoreServer.etcd(hosts.get(2), dir.path().resolve("etcd"));
             WeftdProcess a = WeftdProcess.sharing(hosts.get(0), dir.path().resolve("a"), etcd.url());
             WeftdProcess b = WeftdProcess.sharing(hosts.get(1), dir.path().resolve("b"), etcd.url());
             ApiClient apiA = new ApiClient(a.socket()); ApiClient apiB = new ApiClient(b.socket())) {
            created(apiB.call("POST", "/v1/networks/create", "{\"Name\": \"ochurn\", \"Driver\": \"overlay\", "
                    + "\"IPAM\": {\"Config\": [{\"Subnet\": \"203.0.113.0/24\"}]}}"));
            created(apiB.call("POST", "/v1/networks/create", "{\"Name\": \"oside\", \"Driver\": \"overlay\", "
                    + "\"IPAM\": {\"Config\": [{\"Subnet\": \"198.51.100.0/24\"}]}}"));
            // B's container puts B on both networks, so B's kernel holds their VXLAN devices
            created(apiB.call("POST", "/v1/containers/create", "{\"Name\": \"peer\", \"Networks\": [\"ochurn\", \"oside\"], "
                    + "\"Cmd\": [\"sleep\", \"900\"]}"));
            // before the churn etcd holds B's container's and the gateways' addresses, whatever the IPAM keeps
            World world = new World(hosts.get(1), hosts.get(0), hosts.get(2), etcd, Set.of());
            world = new World(hosts.get(1), hosts.get(0), hosts.get(2), etcd, world.heldAddresses());
            assertThat(world.baseline()).as("B's container holds an address on each network").hasSizeGreaterThanOrEqualTo(2);
            long start = System.nanoTime();
            for (int kill = 0; kill < KILLS; kill++) {
                round(apiA, a, kill, world);
            }
            System.out.printf("overlay churn: %d kills in %d ms (seed %d)%n", KILLS, (System.nanoTime() - start) / 1_000_000, seed);

            for (JsonNode c : apiA.call("GET", "/v1/containers", null).body()) {
                assertThat(apiA.call("DELETE", "/v1/containers/" + c.path("Name").asText() + "?force=true", null).status()).isEqualTo(204);
            }
            world.converges("after removing every container of A", endpointsOfA(apiA));
            assertThat(apiA.call("GET", "/v1/sandboxes", null).body()).as("A's sandboxes").isEmpty();
            assertThat(apiB.call("DELETE", "/v1/containers/peer?force=true", null).status()).isEqualTo(204);
            for (String n : NETS) {
                var r = apiA.call("DELETE", "/v1/networks/" + n, null);
                assertThat(r.status()).as("network rm %s: %s (seed %d)", n, r.body(), seed).isEqualTo(204);
            }
            assertThat(world.heldAddresses()).as("addresses held in etcd at the end").isEmpty();
        }
    }

    private void round(ApiClient api, WeftdProcess weftd, int kill, World world) throws Exception {
        String[] request = pick(api);
        KillDuring.request(api, weftd, request, random);
        String what = "after kill " + kill + " during " + String.join(" ", request[0], request[1], String.valueOf(request[2]))
                + " (seed " + seed + ")";
        Map<String, Endpoint> endpoints = endpointsOfA(api);
        for (Endpoint e : endpoints.values()) {
            String previous = holders.put(e.address(), e.id());
            assertThat(previous == null || previous.equals(e.id()) || endpoints.values().stream().noneMatch(x -> x.id().equals(previous)))
                    .as("%s held by %s and %s at once %s", e.address(), previous, e.id(), what).isTrue();
        }
        world.converges(what, endpoints);
    }

    private String[] pick(ApiClient api) throws Exception {
        List<String> containers = new ArrayList<>();
        api.call("GET", "/v1/containers", null).body().forEach(c -> containers.add(c.path("Name").asText()));
        int dice = random.nextInt(100);
        if (containers.size() < 3 || dice < 35) {
            return new String[] {"POST", "/v1/containers/create", "{\"Name\": \"o" + next++ + "\", \"Networks\": [\"ochurn\"], "
                    + "\"Cmd\": [\"sleep\", \"900\"]}"};
        }
        String some = containers.get(random.nextInt(containers.size()));
        String body = "{\"Container\": \"" + some + "\"}";
        if (dice < 55) {
            return new String[] {"DELETE", "/v1/containers/" + some + "?force=true", null};
        }
        if (dice < 80) {
            return new String[] {"POST", "/v1/networks/oside/connect", body};
        }
        return new String[] {"POST", "/v1/networks/" + NETS[random.nextInt(NETS.length)] + "/disconnect", body};
    }

    /** A's endpoints on both networks, by network/address. */
    private static Map<String, Endpoint> endpointsOfA(ApiClient api) throws Exception {
        Set<String> containers = new HashSet<>();
        api.call("GET", "/v1/containers", null).body().forEach(c -> containers.add(c.path("Name").asText()));
        Map<String, Endpoint> endpoints = new HashMap<>();
        for (String n : NETS) {
            for (JsonNode e : api.call("GET", "/v1/networks/" + n, null).body().path("Containers")) {
                String name = e.path("Name").asText();
                if (name.equals("peer")) {
                    continue;
                }
                assertThat(containers).as("endpoint %s on %s belongs to a container of A", name, n).contains(name);
                assertThat(e.path("Orphaned").asBoolean()).as("orphaned %s", e).isFalse();
                String address = e.path("IPv4Address").asText().split("/")[0];
                endpoints.put(n + "/" + address, new Endpoint(e.path("EndpointID").asText(), address,
                        e.path("MacAddress").asText()));
            }
        }
        return endpoints;
    }

    private record Endpoint(String id, String address, String mac) {
    }

    /** What host B's kernel and etcd say about host A's endpoints. */
    private record World(SimulatedHost b, SimulatedHost a, SimulatedHost etcdHost, StoreServer etcd, Set<String> baseline) {
        /** Waits (up to 10 s) until B's entries towards A and etcd's held addresses are exactly {@code endpoints}. */
        void converges(String what, Map<String, Endpoint> endpoints) throws Exception {
            Set<String> macs = new TreeSet<>();
            Set<String> addresses = new TreeSet<>();
            endpoints.values().forEach(e -> {
                macs.add(e.mac());
                addresses.add(e.address());
            });
            Set<String> expectedHeld = new TreeSet<>(addresses);
            expectedHeld.addAll(baseline);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                Entries seen = entriesTowardsA();
                Set<String> held = heldAddresses();
                if (seen.macs().equals(macs) && seen.addresses().equals(addresses) && held.equals(expectedHeld)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    assertThat(seen.macs()).as("B's forwarding entries towards A %s", what).isEqualTo(macs);
                    assertThat(seen.addresses()).as("B's neighbour entries for A's containers %s", what).isEqualTo(addresses);
                    assertThat(held).as("addresses held in etcd %s", what).isEqualTo(expectedHeld);
                }
                Thread.sleep(100);
            }
        }

        record Entries(Set<String> macs, Set<String> addresses) {
        }

        Entries entriesTowardsA() {
            Set<String> macs = new TreeSet<>();
            Set<String> addresses = new TreeSet<>();
            try (Rtnetlink nl = b.rtnetlink()) {
                for (Link l : nl.links().list()) {
                    if (!l.name().startsWith("wn-")) {
                        continue;
                    }
                    Set<String> towardsA = new HashSet<>();
                    for (FdbEntry f : nl.fdb().list(l.name())) {
                        if (a.address().equals(f.destination())) {
                            towardsA.add(f.mac().toString());
                        }
                    }
                    macs.addAll(towardsA);
                    for (Neighbour n : nl.neighbours().list(l.name())) {
                        if (towardsA.contains(n.mac().toString())) {
                            addresses.add(IpPrefix.format(n.ip()));
                        }
                    }
                }
            }
            return new Entries(macs, addresses);
        }

        /** Every address etcd holds in the two networks' subnets. */
        Set<String> heldAddresses() {
            Set<String> held = new TreeSet<>();
            String out = etcdHost.exec("etcdctl", "--endpoints=" + etcd.hostPort(), "get", "--prefix", "/weft/ipam/", "--keys-only");
            for (String key : out.lines().filter(l -> l.contains("/addresses/")).toList()) {
                String[] parts = key.split("/");
                if (SUBNETS.contains(parts[parts.length - 2])) {
                    held.add(parts[parts.length - 1]);
                }
            }
            return held;
        }
    }

    private static void created(ApiClient.Reply r) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
    }
}
