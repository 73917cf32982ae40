package dev.weft.daemon;

import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real dockerd processes (Debian's docker.io) using weftd as their network and IPAM plugin, each
 * pair in a simulated host ({@link DockerHost}), with containers of a busybox image:
 * {@code docker network create -d weft --ipam-driver weft}, containers reaching each other by
 * address and by name, two networks kept apart, weftd killed with SIGKILL and restarted under
 * running containers, a route to weftd's {@code --nameserver}, {@code docker network rm}; and two Docker hosts sharing one overlay network
 * through weft and etcd (Docker's own cluster store on the same etcd). Skipped where dockerd or
 * busybox-static is missing.
 */
class PluginDockerdTest extends DockerdTestCase {

    /** The links weft made in {@code host}: bridges, overlay devices and veths. */
    static List<String> weftLinks(SimulatedHost host) {
        try (Rtnetlink r = host.rtnetlink()) {
            return r.links().list().stream().map(Link::name).filter(n -> n.startsWith("w")).toList();
        }
    }

    static String ping(String target) {
        return "ping -c 1 -W 2 " + target;
    }

    @Test
    void dockerRunsContainersOnWeftNetworks() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(2); // the second is a client from outside
             DockerHost docker = DockerHost.start(hosts.get(0), runDir.path(), List.of("--nameserver", "192.0.2.53", "--log-level", "debug"),
                     List.of())) {
            String image = DockerHost.IMAGE;
            docker.ok("network", "create", "-d", "weft", "--ipam-driver", "weft", "--subnet", "198.51.100.0/24", "wtnet");
            docker.ok("network", "create", "-d", "weft", "--ipam-driver", "weft", "--subnet", "203.0.113.0/24", "wtother");
            docker.ok("run", "-d", "--name", "wtpa", "--net", "wtnet", image, "sleep", "600");
            docker.ok("run", "-d", "--name", "wtpc", "--net", "wtother", image, "sleep", "600");
            String a = docker.address("wtpa", "wtnet");
            assertThat(a).startsWith("198.51.100.");
            assertThat(docker.ok("run", "--rm", "--net", "wtnet", image, "sh", "-c", ping(a) + " && " + ping("wtpa")))
                    .as("by address and by name").contains("1 packets received").doesNotContain("bad address");
            assertThat(docker.succeeds("exec", "wtpc", "sh", "-c", ping(a))).as("two networks are isolated").isFalse();
            assertThat(docker.ok("exec", "wtpa", "ip", "route")).as("--nameserver gives a route through the weft interface")
                    .contains("192.0.2.53 dev eth0");
            docker.ok("run", "-d", "--name", "wtweb", "--net", "wtnet", "-p", "8080:80", image, "sh", "-c",
                    "mkdir /www && echo hello-weft > /www/index.html && exec httpd -f -p 80 -h /www");
            String url = "http://" + dev.weft.net.IpPrefix.format(hosts.get(0).address()) + ":8080/";
            assertThat(eventually(10, () -> fetch(hosts.get(1), url).contains("hello-weft")))
                    .as("docker run -p publishes through weft").isTrue();
            assertThat(docker.run("network", "create", "-d", "weft", "--ipam-driver", "weft", "-o", "weft.overlay=wtx", "wtx")
                    .output()).as("overlays need local scope and a store").contains("needs weftd with --docker-scope local");
            DockerHost.Result ephemeral = docker.run("run", "-d", "--net", "wtnet", "-p", "80", image, "sleep", "600");
            assertThat(ephemeral.output()).as("weft does not choose host ports").contains("weft does not choose host ports");

            docker.weftd().kill(); // SIGKILL under running containers
            assertThat(docker.ok("exec", "wtpc", "ip", "-4", "addr", "show", "eth0")).contains("203.0.113.");
            docker.weftd().restart();
            assertThat(docker.ok("run", "--rm", "--net", "wtnet", image, "sh", "-c", "ip -4 addr show eth0; " + ping(a)))
                    .as("a new container joins after the restart").contains("1 packets received");
            assertThat(docker.ok("exec", "wtpc", "sh", "-c", ping(docker.address("wtpc", "wtother"))))
                    .contains("1 packets received");

            docker.ok("rm", "-f", "wtpa", "wtpc", "wtweb");
            docker.ok("network", "rm", "wtnet", "wtother");
            assertThat(weftLinks(docker.host())).as("no link left").isEmpty();
            assertThat(docker.weftd().terminate()).isZero();
        }
    }

    /**
     * Two Docker hosts and a third running etcd, which serves as both weft's store and Docker's
     * cluster store: a network created on one host is there on the other, and containers on the
     * two hosts reach each other over weft's overlay, by address and by name, with addresses from
     * weft's IPAM never handed out twice; one host's weftd is killed with SIGKILL and restarted,
     * and its old and new containers are reached.
     */
    @Test
    void twoDockerHostsShareAnOverlayNetwork() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(3);
             StoreServer etcd = StoreServer.etcd(hosts.get(2), runDir.path().resolve("etcd"))) {
            List<DockerHost> docker = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    docker.add(DockerHost.start(hosts.get(i), runDir.path().resolve("h" + i),
                            List.of("--kv-store", etcd.url(), "--bind-interface", "eth0"),
                            List.of("--cluster-store", etcd.url(), "--cluster-advertise", "eth0:2376")));
                }
                DockerHost h1 = docker.get(0);
                DockerHost h2 = docker.get(1);
                String image = DockerHost.IMAGE;
                h1.ok("network", "create", "-d", "weft", "--ipam-driver", "weft", "--subnet", "198.51.100.0/24", "wtg");
                assertThat(eventually(30, () -> h2.ok("network", "ls").contains("wtg"))).as("the network reaches host 2").isTrue();
                h1.ok("run", "-d", "--name", "wtg1", "--net", "wtg", image, "sleep", "600");
                h2.ok("run", "-d", "--name", "wtg2", "--net", "wtg", image, "sleep", "600");
                String a1 = h1.address("wtg1", "wtg");
                String a2 = h2.address("wtg2", "wtg");
                assertThat(a1).startsWith("198.51.100.").isNotEqualTo(a2);
                assertThat(h2.ok("exec", "wtg2", "ip", "link", "show", "eth0")).contains("mtu 1450");
                assertThat(eventually(15, () -> h2.succeeds("exec", "wtg2", "sh", "-c", ping(a1))))
                        .as("host 2 reaches host 1's container over the overlay").isTrue();
                assertThat(h1.ok("exec", "wtg1", "sh", "-c", ping(a2))).contains("1 packets received");
                assertThat(eventually(15, () -> h2.succeeds("exec", "wtg2", "sh", "-c", ping("wtg1"))))
                        .as("and by name: " + h2.log()).isTrue();

                h2.weftd().kill(); // SIGKILL on one host: its containers keep their overlay
                assertThat(h1.ok("exec", "wtg1", "sh", "-c", ping(a2))).contains("1 packets received");
                h2.weftd().restart();
                h2.ok("run", "-d", "--name", "wtg3", "--net", "wtg", image, "sleep", "600");
                String a3 = h2.address("wtg3", "wtg");
                assertThat(a3).isNotIn(a1, a2);
                assertThat(eventually(15, () -> h1.succeeds("exec", "wtg1", "sh", "-c", ping(a3) + " && " + ping(a2))))
                        .as("after the restart, old and new containers of host 2 are reached from host 1").isTrue();
                h2.ok("rm", "-f", "wtg3");

                h1.ok("rm", "-f", "wtg1");
                h2.ok("rm", "-f", "wtg2");
                h2.ok("network", "rm", "wtg");
                assertThat(eventually(15, () -> !h1.ok("network", "ls").contains("wtg"))).isTrue();
                for (DockerHost d : docker) {
                    assertThat(eventually(15, () -> weftLinks(d.host()).isEmpty())).as("no link left: " + weftLinks(d.host()))
                            .isTrue();
                }
            } finally {
                for (DockerHost d : docker) {
                    d.close();
                }
            }
        }
    }

    /** What {@code url} answers to a client on {@code from}, or "" when it does not. */
    private static String fetch(SimulatedHost from, String url) {
        try {
            return from.exec("curl", "-s", "-m", "2", url);
        } catch (RuntimeException | AssertionError e) { // Shell fails a command that exits non-zero
            return "";
        }
    }

    static boolean eventually(int seconds, Callable<Boolean> check) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (true) {
            if (check.call()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200);
        }
    }
}
