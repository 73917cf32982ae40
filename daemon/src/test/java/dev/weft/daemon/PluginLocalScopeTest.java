package dev.weft.daemon;

import dev.weft.net.IpPrefix;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.weft.daemon.PluginDockerdTest.eventually;
import static dev.weft.daemon.PluginDockerdTest.ping;
import static dev.weft.daemon.PluginDockerdTest.weftLinks;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real dockerd hosts started without {@code --cluster-store} (as Docker 23 and later must
 * be), each with weftd {@code --docker-scope local} sharing one etcd: {@code docker network create
 * -o weft.overlay=NAME} on every host attaches each host's local network to one weft overlay.
 * Containers of the three hosts reach each other by address and by name (weftd's DNS as dockerd's
 * {@code --dns}), addresses never repeat, a second overlay stays
 * apart, a wrong subnet is refused, weftd and dockerd restarts leave containers talking, one host's
 * {@code network rm} leaves the others alone, and the last one removes the overlay. Skipped where
 * dockerd or busybox-static is missing.
 */
class PluginLocalScopeTest extends DockerdTestCase {
    private static final String SUBNET = "198.51.100.0/24";

    private static String[] create(String overlay, String subnet, String network) {
        return new String[] {"network", "create", "-d", "weft", "--ipam-driver", "weft", "-o", "weft.overlay=" + overlay,
                "--subnet", subnet, network};
    }

    @Test
    void threeDockerHostsWithoutAClusterStoreShareAnOverlay() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(4);
             StoreServer etcd = StoreServer.etcd(hosts.get(3), runDir.path().resolve("etcd"));
             FakeUpstream upstream = new FakeUpstream(hosts.get(3).netns(), IpPrefix.format(hosts.get(3).address()),
                     "192.0.2.77")) {
            List<DockerHost> docker = new ArrayList<>();
            try {
                startHosts(hosts, etcd, 3, docker, hosts.get(3));
                String image = DockerHost.IMAGE;
                List<String> addresses = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    DockerHost h = docker.get(i);
                    h.ok(create("wlov", SUBNET, "wlnet"));
                    assertThat(h.ok("network", "inspect", "-f", "{{.Scope}}", "wlnet")).isEqualTo("local");
                    h.ok("run", "-d", "--name", "wlc" + i, "--net", "wlnet", image, "sleep", "600");
                    addresses.add(h.address("wlc" + i, "wlnet"));
                }
                assertThat(addresses).as("addresses from weft's global IPAM").doesNotHaveDuplicates()
                        .allMatch(a -> a.startsWith("198.51.100."));
                DockerHost h0 = docker.get(0);
                DockerHost h1 = docker.get(1);
                DockerHost h2 = docker.get(2);
                for (int i = 0; i < 3; i++) {
                    int from = i;
                    String target = addresses.get((i + 1) % 3);
                    assertThat(eventually(15, () -> docker.get(from).succeeds("exec", "wlc" + from, "sh", "-c", ping(target))))
                            .as("host %d reaches %s on the next host: %s", from, target, docker.get(from).log()).isTrue();
                }

                for (int i = 0; i < 3; i++) {
                    int from = i;
                    String target = "wlc" + (i + 2) % 3;
                    assertThat(eventually(20, () -> docker.get(from).succeeds("exec", "wlc" + from, "sh", "-c", ping(target))))
                            .as("host %d reaches %s by name: %s", from, target, docker.get(from).log()).isTrue();
                }
                assertThat(h0.ok("exec", "wlc0", "nslookup", "wlc1")).as("weft's DNS answers: " + h0.log())
                        .contains(addresses.get(1));
                assertThat(h1.ok("exec", "wlc1", "nslookup", "example.test")).as("other names go to weftd's upstream")
                        .contains("192.0.2.77");

                DockerHost.Result wrong = h2.run(create("wlov", "192.0.2.0/24", "wlbad"));
                assertThat(wrong.exit()).isNotZero();
                assertThat(wrong.output()).contains("overlay wlov has subnet " + SUBNET);

                h0.ok(create("wlov2", "203.0.113.0/24", "wlother"));
                h1.ok(create("wlov2", "203.0.113.0/24", "wlother"));
                h1.ok("run", "-d", "--name", "wlo1", "--net", "wlother", image, "sleep", "600");
                String other = h1.address("wlo1", "wlother");
                assertThat(other).startsWith("203.0.113.");
                assertThat(h0.ok("run", "--rm", "--net", "wlother", image, "sh", "-c", ping(other)))
                        .as("the second overlay works").contains("1 packets received");
                assertThat(h1.succeeds("exec", "wlo1", "sh", "-c", ping(addresses.get(0)))).as("overlays are isolated")
                        .isFalse();
                assertThat(h1.run("exec", "wlo1", "nslookup", "wlc0").output()).as("and so are their names")
                        .doesNotContain(addresses.get(0));

                h1.weftd().kill(); // SIGKILL: the data path stays
                assertThat(h0.ok("exec", "wlc0", "sh", "-c", ping(addresses.get(1)))).contains("1 packets received");
                h1.weftd().restart();
                h1.ok("run", "-d", "--name", "wlr1", "--restart", "always", "--net", "wlnet", image, "sleep", "600");
                String r1 = h1.address("wlr1", "wlnet");
                assertThat(r1).isNotIn(addresses);
                assertThat(eventually(15, () -> h0.succeeds("exec", "wlc0", "sh", "-c", ping(r1))))
                        .as("a container made after weftd's restart is reached: " + h1.log()).isTrue();

                h1.restartDockerd(); // its containers stop; wlr1 comes back by its restart policy
                assertThat(h0.ok("exec", "wlc0", "sh", "-c", ping(addresses.get(2)))).as("the other hosts keep talking")
                        .contains("1 packets received");
                assertThat(eventually(30, () -> h1.run("inspect", "-f", "{{.State.Running}}", "wlr1").output().trim()
                        .equals("true"))).as("wlr1 restarted: " + h1.log()).isTrue();
                String back = h1.address("wlr1", "wlnet");
                assertThat(eventually(15, () -> h0.succeeds("exec", "wlc0", "sh", "-c", ping(back))))
                        .as("after dockerd's restart host 1's container is reached: " + h1.log()).isTrue();
                assertThat(eventually(15, () -> h1.succeeds("exec", "wlr1", "sh", "-c", ping(addresses.get(2)))))
                        .as("and reaches host 2's").isTrue();
                assertThat(eventually(20, () -> h2.succeeds("exec", "wlc2", "sh", "-c", ping("wlr1"))))
                        .as("and is found by name again: " + h1.log()).isTrue();

                h2.ok("rm", "-f", "wlc2");
                h2.ok("network", "rm", "wlnet");
                assertThat(h0.ok("exec", "wlc0", "sh", "-c", ping(back))).as("host 2's network rm leaves the others alone")
                        .contains("1 packets received");
                assertThat(overlays(h0)).contains("wlov", "wlov2");

                h0.ok("rm", "-f", "wlc0");
                h1.ok("rm", "-f", "wlc1", "wlr1", "wlo1");
                h0.ok("network", "rm", "wlnet", "wlother");
                assertThat(overlays(h1)).as("host 1 still uses both").contains("wlov", "wlov2");
                h1.ok("network", "rm", "wlnet", "wlother");
                assertThat(eventually(15, () -> overlays(h0).isEmpty())).as("the last user removed the overlays: "
                        + overlays(h0)).isTrue();
                for (DockerHost d : docker) {
                    assertThat(eventually(15, () -> weftLinks(d.host()).isEmpty())).as("no link left: " + weftLinks(d.host()))
                            .isTrue();
                }
                List<String> keys = etcdKeys(hosts.get(3), etcd);
                assertThat(keys).as("weft's keys are there").anyMatch(k -> k.contains("/hosts/"));
                assertThat(keys).as("no attachment, name, shared pool or address left")
                        .noneMatch(k -> k.contains("/docker/") || k.contains("DockerGlobal"));
            } finally {
                for (DockerHost d : docker) {
                    d.close();
                }
            }
        }
    }

    /**
     * Two hosts leave the subnet to weft ({@code --ipam-opt weft.overlay=NAME}): both get the one
     * weft chose from Docker's global pools; their containers find each other by name, also after
     * one host's weftd is killed and restarted, and a container made afterwards is found too.
     */
    @Test
    void twoDockerHostsLeaveTheSubnetToWeft() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(3);
             StoreServer etcd = StoreServer.etcd(hosts.get(2), runDir.path().resolve("etcd"))) {
            List<DockerHost> docker = new ArrayList<>();
            try {
                startHosts(hosts, etcd, 2, docker, hosts.get(2));
                DockerHost h0 = docker.get(0);
                DockerHost h1 = docker.get(1);
                String image = DockerHost.IMAGE;
                for (DockerHost h : docker) {
                    h.ok("network", "create", "-d", "weft", "--ipam-driver", "weft", "-o", "weft.overlay=wlauto", "--ipam-opt",
                            "weft.overlay=wlauto", "wlnet");
                }
                String subnet = h0.ok("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "wlnet");
                assertThat(subnet).startsWith("10.");
                assertThat(h1.ok("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "wlnet")).isEqualTo(subnet);
                DockerHost.Result refused = h0.run("network", "create", "-d", "weft", "--ipam-driver", "weft", "-o",
                        "weft.overlay=wlauto2", "--ipam-opt", "weft.overlay=wlauto2", "-o", "wl.bogus=1", "wlnet2");
                assertThat(refused.exit()).isNotZero();
                assertThat(refused.output()).contains("wl.bogus");
                DockerHost.Result v6 = h1.run("network", "create", "-d", "weft", "--ipam-driver", "weft", "-o", "weft.overlay=wl6",
                        "--ipv6", "--subnet", "198.51.100.0/24", "--subnet", "2001:db8:77::/64", "wl6");
                assertThat(v6.exit()).isNotZero();
                assertThat(v6.output()).contains("IPv4 only");
                assertThat(etcdKeys(hosts.get(2), etcd).stream().filter(k -> k.contains("DockerGlobal/pools/")))
                        .as("the pool weft chose for a network that failed is released").hasSize(1);
                h0.ok("run", "-d", "--name", "wla0", "--net", "wlnet", image, "sleep", "600");
                h1.ok("run", "-d", "--name", "wla1", "--net", "wlnet", image, "sleep", "600");
                assertThat(eventually(20, () -> h1.succeeds("exec", "wla1", "sh", "-c", ping("wla0"))))
                        .as("host 1 finds host 0's container by name: " + h1.log()).isTrue();
                assertThat(eventually(20, () -> h0.succeeds("exec", "wla0", "sh", "-c", ping("wla1"))))
                        .as("and the other way: " + h0.log()).isTrue();

                h0.weftd().kill();
                h0.weftd().restart();
                assertThat(eventually(20, () -> h0.succeeds("exec", "wla0", "sh", "-c", ping("wla1"))))
                        .as("names after weftd's restart: " + h0.log()).isTrue();
                h0.ok("run", "-d", "--name", "wla2", "--net", "wlnet", image, "sleep", "600");
                assertThat(eventually(20, () -> h1.succeeds("exec", "wla1", "sh", "-c", ping("wla2"))))
                        .as("a container made after the restart: " + h0.log()).isTrue();

                h0.ok("rm", "-f", "wla0", "wla2");
                h1.ok("rm", "-f", "wla1");
                for (DockerHost h : docker) {
                    h.ok("network", "rm", "wlnet");
                }
                assertThat(overlays(h0)).as("the last user removed the overlay").isEmpty();
            } finally {
                for (DockerHost d : docker) {
                    d.close();
                }
            }
        }
    }

    /**
     * Starts {@code count} Docker hosts on {@code hosts}, each weftd in local scope with its DNS on
     * its host's address, which is its dockerd's {@code --dns}, and {@code resolver}'s address as
     * weftd's upstream.
     */
    private void startHosts(SimulatedHosts hosts, StoreServer etcd, int count, List<DockerHost> docker, SimulatedHost resolver)
            throws Exception {
        for (int i = 0; i < count; i++) {
            Path dir = runDir.path().resolve("h" + i);
            String address = IpPrefix.format(hosts.get(i).address());
            Files.createDirectories(dir);
            Path resolvConf = Files.writeString(dir.resolve("resolv.conf"), "nameserver "
                    + IpPrefix.format(resolver.address()) + "\n");
            docker.add(DockerHost.start(hosts.get(i), dir, List.of("--kv-store", etcd.url(), "--bind-interface", "eth0",
                    "--resolv-conf", resolvConf.toString(),
                    "--docker-scope", "local", "--docker-api", dir.resolve("docker.sock").toString(),
                    "--docker-dns", address, "--log-level", "debug"), List.of("--dns", address)));
        }
    }

    /** The keys in {@code etcd}, listed by etcdctl on {@code host}. */
    private static List<String> etcdKeys(SimulatedHost host, StoreServer etcd) {
        return host.exec("etcdctl", "--endpoints", "http://" + etcd.hostPort(), "get", "--prefix", "--keys-only", "")
                .lines().filter(k -> !k.isBlank()).toList();
    }

    /** The names of weft's networks as {@code docker}'s weftd lists them. */
    private static List<String> overlays(DockerHost docker) throws Exception {
        try (ApiClient api = new ApiClient(docker.weftd().socket())) {
            List<String> names = new ArrayList<>();
            api.call("GET", "/v1/networks", null).body().forEach(n -> names.add(n.path("Name").asText()));
            return names.stream().filter(n -> n.startsWith("wl")).toList();
        }
    }
}
