package dev.weft.engine.driver.overlay;

import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.OverlayHosts;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.linux.KernelRequests;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;
import dev.weft.testkit.Eventually;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every host on an overlay network updates its VXLAN device for every join and leave anywhere on
 * it, so that update must cost the one endpoint's entries, not the whole network's: two hosts
 * share a real etcd, host 1 joins containers one by one, and the netlink requests the join of
 * the 24th costs (both hosts together, until quiet) are no more than the 4th's; host 0's device
 * holds exactly host 1's endpoints all along, also after leaves, and after its device was removed
 * behind weft's back and made again by a join.
 */
class RemoteEntriesTest {
    private static final int JOINS = 24;

    @Test
    void aJoinCostsTheSameKernelRequestsHoweverManyEndpointsTheNetworkHas() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(2); RunDir dir = new RunDir();
             StoreServer etcd = StoreServer.etcdOnLoopback(dir.path().resolve("etcd"))) {
            List<AutoCloseable> open = new ArrayList<>();
            try (Rtnetlink host0 = Rtnetlink.open(hosts.get(0).netns())) {
                List<Controller> c = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    c.add(OverlayHosts.start(hosts.get(i).netns(), IpPrefix.format(hosts.get(i).address()),
                            dir.path().resolve("h" + i), etcd.url() + "/remote-entries", open));
                }
                String netId = c.getFirst().newNetwork(NetworkConfig.of("fw", "overlay")
                        .withIpv4(IpamConfig.subnet("198.18.0.0/22"))).id();
                Eventually.holds(15, () -> c.get(1).networks().stream().anyMatch(n -> n.name().equals("fw")));
                join(c.getFirst(), "a0");
                String vxlan = OverlayDriver.vxlanName(netId);
                InetAddress vtep1 = hosts.get(1).address();

                Map<MacAddress, InetAddress> expectedFdb = new HashMap<>();
                Map<InetAddress, MacAddress> expectedNeigh = new HashMap<>();
                long[] cost = new long[JOINS + 1];
                for (int k = 1; k <= JOINS; k++) {
                    long before = KernelRequests.netlink();
                    Endpoint ep = join(c.get(1), "b" + k);
                    InetAddress ip = ep.ipv4().address();
                    Eventually.holds(15, () -> host0.neighbours().list(vxlan).stream().anyMatch(n -> n.ip().equals(ip)));
                    cost[k] = quiet() - before;
                    expectedFdb.put(ep.mac(), vtep1);
                    expectedNeigh.put(ip, ep.mac());
                }
                assertThat(entries(host0, vxlan)).isEqualTo(new Entries(expectedFdb, expectedNeigh));
                long early = Math.min(Math.min(cost[3], cost[4]), cost[5]);
                long late = Math.min(Math.min(cost[JOINS - 2], cost[JOINS - 1]), cost[JOINS]);
                assertThat(late).as("netlink requests of a join with %d endpoints (with 4: %d; all: %s)", JOINS, early,
                        java.util.Arrays.toString(cost)).isLessThanOrEqualTo(early + 4);

                for (int k = 1; k <= JOINS / 2; k++) {
                    Sandbox sb = c.get(1).sandbox("b" + k);
                    Endpoint ep = c.get(1).network("fw").endpoint("b" + k);
                    expectedFdb.remove(ep.mac());
                    expectedNeigh.remove(ep.ipv4().address());
                    ep.leave(sb);
                    ep.delete();
                    sb.delete();
                }
                Entries half = new Entries(expectedFdb, expectedNeigh);
                Eventually.holds(15, () -> entries(host0, vxlan).equals(half));

                host0.links().delete(vxlan); // behind weft's back; the next join here makes it again
                join(c.getFirst(), "a1");
                Eventually.holds(15, () -> entries(host0, vxlan).equals(half));
            } finally {
                for (int i = open.size() - 1; i >= 0; i--) {
                    open.get(i).close();
                }
            }
        }
    }

    private record Entries(Map<MacAddress, InetAddress> fdb, Map<InetAddress, MacAddress> neighbours) {
    }

    /** The device's forwarding entries that lead to another host, and its permanent neighbour entries. */
    private static Entries entries(Rtnetlink nl, String vxlan) {
        if (nl.links().find(vxlan).isEmpty()) {
            return new Entries(Map.of(), Map.of());
        }
        Map<MacAddress, InetAddress> fdb = new HashMap<>();
        nl.fdb().list(vxlan).stream().filter(e -> e.destination() != null).forEach(e -> fdb.put(e.mac(), e.destination()));
        Map<InetAddress, MacAddress> neigh = new HashMap<>();
        nl.neighbours().list(vxlan).stream().filter(n -> n.permanent()).forEach(n -> neigh.put(n.ip(), n.mac())); // not IPv6 multicast
        return new Entries(fdb, neigh);
    }

    private static Endpoint join(Controller c, String name) {
        Sandbox sb = c.newSandbox(name, SandboxOptions.named(name));
        Endpoint ep = c.network("fw").createEndpoint(name);
        ep.join(sb);
        return ep;
    }

    /** Waits until this process has sent no netlink request for 300 ms; the count then. */
    private static long quiet() throws InterruptedException {
        long last = KernelRequests.netlink();
        for (int i = 0; i < 50; i++) {
            Thread.sleep(300);
            long now = KernelRequests.netlink();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }
}
