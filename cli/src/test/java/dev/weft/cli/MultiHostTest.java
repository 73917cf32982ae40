package dev.weft.cli;

import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
import dev.weft.testkit.WeftdProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static dev.weft.cli.CliProcess.address;
import static dev.weft.cli.CliProcess.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's multi-host quick start on three simulated hosts, each with its own weftd, sharing a
 * real etcd or ZooKeeper that runs on a fourth host of the same underlay: overlay networks, the
 * services on them found by name from every host, and removal from any host once empty.
 */
class MultiHostTest {

    @Test
    void quickStartOverEtcd() {
        run(StoreServer::etcd);
    }

    @Test
    void quickStartOverZooKeeper() {
        run(StoreServer::zookeeper);
    }

    private void run(BiFunction<dev.weft.testkit.SimulatedHost, Path, StoreServer> server) {
        try (SimulatedHosts hosts = SimulatedHosts.create(4); RunDir dir = new RunDir();
             StoreServer store = server.apply(hosts.get(3), dir.path().resolve("store"))) {
            List<WeftdProcess> daemons = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    daemons.add(WeftdProcess.sharing(hosts.get(i), dir.path().resolve("h" + i), store.url()));
                }
                List<CliProcess> clis = daemons.stream().map(d -> new CliProcess(d.socket())).toList();
                quickStart(clis, store, daemons);
                for (WeftdProcess d : daemons) {
                    assertThat(d.terminate()).as(d.log()).isZero();
                }
                for (int i = 0; i < 3; i++) {
                    try (Rtnetlink nl = hosts.get(i).rtnetlink()) {
                        assertThat(nl.links().list()).extracting(Link::name).containsExactlyInAnyOrder("lo", "eth0");
                    }
                }
            } finally {
                daemons.forEach(WeftdProcess::close);
            }
        }
    }

    /**
     * An overlay reaches outside through its host (the store's host stands for the outside world),
     * an internal one has no way out, and two overlays do not reach each other.
     */
    private void isolationAndExternalAccess(CliProcess h1, CliProcess h2, String ip1) {
        h2.ok("network", "create", "-d", "overlay", "--internal", "--subnet", "203.0.113.0/26", "back");
        h2.ok("network", "create", "-d", "overlay", "--subnet", "203.0.113.64/26", "other");
        h1.ok("run", "-d", "--name", "i1", "--net", "back", "--", "sleep", "600");
        h1.ok("run", "-d", "--name", "o1", "--net", "other", "--", "sleep", "600");
        String outside = "192.0.2.4"; // host 4, on the underlay
        assertThat(h1.inside("c1", "ping -c 1 -W 2 " + outside)).as("an overlay container reaches outside").isTrue();
        assertThat(h1.inside("i1", "ip route | grep -q default")).as("an internal overlay has no default route").isFalse();
        assertThat(h1.inside("i1", "ping -c 1 -W 1 " + outside)).isFalse();
        assertThat(h1.inside("o1", "ping -c 1 -W 1 " + outside)).isTrue();
        assertThat(h1.inside("o1", "ping -c 1 -W 1 " + ip1)).as("overlays are isolated from each other").isFalse();
        h1.ok("rm", "-f", "i1", "o1");
        h2.ok("network", "rm", "back", "other");
    }

    /**
     * The store stops for 30 s: containers keep talking, global operations fail within seconds
     * with a message naming the store, local ones go on; when it is back everything converges.
     */
    private void storeOutage(StoreServer store, CliProcess h1, CliProcess h2, String ip1) {
        long stopped = System.nanoTime();
        store.stop();
        assertThat(h2.inside("c2", "ping -c 1 -W 2 " + ip1)).as("the data path does not need the store").isTrue();
        assertThat(h2.inside("c2", "ping -c 1 -W 2 svc1")).as("nor do names").isTrue();
        long asked = System.nanoTime();
        CliProcess.Run refused = h1.weft("network", "create", "-d", "overlay", "--subnet", "203.0.113.128/26", "late");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).startsWith("weft: ").containsAnyOf("etcd", "ZooKeeper");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - asked)).as("fails fast").isLessThan(15);
        h1.ok("network", "create", "--subnet", "203.0.113.192/26", "local");
        h1.ok("network", "rm", "local");
        long left = 30_000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        if (left > 0) {
            sleep(left);
        }
        store.start();
        assertThat(eventually(30, () -> h1.weft("network", "create", "-d", "overlay", "--subnet", "203.0.113.128/26", "late")
                .exit() == 0)).as("global operations work again").isTrue();
        // a host that made no call during the outage reconnects on gRPC's backoff schedule (1 s, x1.6 per
        // failed attempt, +-20 %): after 30 s without its only etcd, its next attempt may be ~15 s away
        assertThat(eventually(30, () -> h2.ok("network", "ls").contains("late"))).as("and reach the other hosts").isTrue();
        h2.ok("network", "rm", "late");
        assertThat(eventually(10, () -> h2.inside("c2", "ping -c 1 -W 1 svc1"))).isTrue();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Host 1's weftd is killed: its containers keep running and, until its session expires, keep
     * being reached; once expired, the other hosts stop forwarding to them and answering their
     * names; when it is back the same addresses work again. Then every weftd restarts at once.
     */
    private void daemonsDieAndComeBack(List<WeftdProcess> daemons, CliProcess h1, CliProcess h2, String ip1) {
        daemons.getFirst().kill();
        assertThat(h2.inside("c2", "ping -c 1 -W 2 " + ip1)).as("no weftd needed on the data path").isTrue();
        assertThat(eventually(30, () -> !h2.inside("c2", "ping -c 1 -W 1 svc1")))
                .as("a host whose session expired is no longer served").isTrue();
        daemons.getFirst().restart();
        assertThat(eventually(15, () -> h2.inside("c2", "ping -c 1 -W 1 svc1"))).as("back again").isTrue();
        assertThat(address(h2.ok("service", "info", "svc1.dev"))).isEqualTo(ip1);
        for (WeftdProcess d : daemons) {
            assertThat(d.terminate()).isZero();
        }
        daemons.forEach(WeftdProcess::restart);
        assertThat(eventually(15, () -> h1.inside("c1", "ping -c 1 -W 1 svc2"))).as("after every weftd restarted").isTrue();
        assertThat(address(h1.ok("service", "info", "svc1.dev"))).isEqualTo(ip1);
    }

    /**
     * Host 1's weftd dies again; host 2 takes svc1 over: a forced unpublish of the service still
     * joined on the dead host frees its address, which a new publish on host 2 asks for again and
     * an attach to a container of host 2 carries. When host 1's weftd is back it drops its stale interface for svc1.
     */
    private void serviceTakenOverFromADeadHost(List<WeftdProcess> daemons, CliProcess h1, CliProcess h2, String ip1) {
        daemons.getFirst().kill();
        h2.ok("service", "unpublish", "-f", "svc1.dev");
        h2.ok("service", "publish", "--ip", ip1, "svc1.dev");
        h2.ok("run", "-d", "--name", "c3", "--", "sleep", "600");
        h2.ok("service", "attach", "c3", "svc1.dev");
        assertThat(address(h2.ok("service", "info", "svc1.dev"))).as("the re-attached service keeps its address").isEqualTo(ip1);
        assertThat(eventually(10, () -> h2.inside("c2", "ping -c 1 -W 1 svc1"))).isTrue();
        daemons.getFirst().restart();
        assertThat(eventually(15, () -> !h1.inside("c1", "ip -4 addr | grep -q ' " + ip1 + "/'")))
                .as("host 1 removed its stale interface").isTrue();
        h1.ok("service", "publish", "svc4.dev");
        h1.ok("service", "attach", "c1", "svc4.dev");
        assertThat(eventually(15, () -> h2.inside("c2", "ping -c 1 -W 1 svc4"))).isTrue();
        assertThat(h1.inside("c1", "ping -c 1 -W 2 svc1")).as("and reaches svc1 on host 2").isTrue();
    }

    private void quickStart(List<CliProcess> host, StoreServer store, List<WeftdProcess> daemons) {
        CliProcess h1 = host.get(0);
        CliProcess h2 = host.get(1);
        CliProcess h3 = host.get(2);
        // host 1: a service on network dev of the overlay driver; the network is made on the way
        h1.ok("run", "-d", "--name", "c1", "--publish-service=svc1.dev.overlay", "--", "sleep", "600");
        for (CliProcess h : host) {
            assertThat(eventually(10, () -> h.ok("network", "ls").matches("(?s).*dev\\s+overlay\\s+global.*")))
                    .as("dev listed on every host").isTrue();
        }
        // host 2: a second service on the same network
        h2.ok("run", "-d", "--name", "c2", "--publish-service=svc2.dev.overlay", "--", "sleep", "600");
        String ip1 = address(h2.ok("service", "info", "svc1.dev"));
        String ip2 = address(h1.ok("service", "info", "svc2.dev"));
        assertThat(ip1).isNotEqualTo(ip2);

        assertThat(eventually(10, () -> h2.inside("c2", "ping -c 1 -W 1 " + ip1))).as("ping by IP across hosts").isTrue();
        assertThat(h2.inside("c2", "ping -c 1 -W 2 svc1")).as("by name").isTrue();
        assertThat(h2.inside("c2", "ping -c 1 -W 2 svc1.dev")).as("by SVC.NET").isTrue();
        assertThat(h1.inside("c1", "ping -c 1 -W 2 svc2")).as("and back").isTrue();
        assertThat(h2.inside("c2", "test \"$(dig +short svc1.dev)\" = " + ip1)).as("dig").isTrue();
        assertThat(h2.inside("c2", "ip link show eth0 | grep -q 'mtu 1450'")).as("the underlay's MTU minus 50").isTrue();

        for (CliProcess h : List.of(h1, h2)) {
            assertThat(h.ok("service", "ls")).contains("svc1").contains("svc2").contains("c1").contains("c2");
            assertThat(h.ok("network", "info", "dev")).contains("\"Driver\" : \"overlay\"").contains("\"Scope\" : \"global\"");
        }

        isolationAndExternalAccess(h1, h2, ip1);
        storeOutage(store, h1, h2, ip1);
        daemonsDieAndComeBack(daemons, h1, h2, ip1);
        serviceTakenOverFromADeadHost(daemons, h1, h2, ip1);

        // host 3 has no container on dev: it cannot remove it while host 1 and 2 have
        assertThat(h3.fails("network", "rm", "dev")).contains("has active endpoints");

        h2.ok("service", "detach", "c2", "svc2.dev");
        assertThat(eventually(10, () -> !h1.inside("c1", "ping -c 1 -W 1 svc2"))).as("a detached service is gone").isTrue();
        h2.ok("service", "unpublish", "svc2.dev");
        h2.ok("rm", "-f", "c2", "c3");
        h1.ok("rm", "-f", "c1");
        h1.ok("service", "unpublish", "svc1.dev");
        h1.ok("service", "unpublish", "svc4.dev");
        h3.ok("network", "rm", "dev");
        for (CliProcess h : host) {
            assertThat(eventually(10, () -> !h.ok("network", "ls").contains("dev"))).as("dev gone everywhere").isTrue();
        }
    }
}
