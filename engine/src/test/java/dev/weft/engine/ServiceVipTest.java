package dev.weft.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.engine.driver.bridge.BridgeDriver;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.Eventually;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Service virtual IPs, packets as proof: three backends behind one virtual IP get 3000 new
 * connections from a client container, each within 20% of a third; a backend that leaves gets
 * none afterwards and the others share its part. On one host's bridge network, and on an overlay
 * across two simulated hosts sharing a real etcd (the client on the host with one backend).
 */
class ServiceVipTest {
    private static final int CONNECTIONS = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void threeBackendsOnABridgeShareNewConnectionsAndOneThatLeavesGetsNone() {
        try (ControllerFixture f = new ControllerFixture("vipb", h -> List.of(new BridgeDriver(h)));
             VipTraffic traffic = new VipTraffic()) {
            Controller c = f.controller();
            Network net = c.newNetwork(NetworkConfig.of("vipnet", "bridge").withIpv4(IpamConfig.subnet("198.51.100.0/24")));
            Endpoint vip = net.createEndpoint("web", EndpointOptions.none().asVirtualIp());
            Sandbox client = join(c, net, "client", EndpointOptions.none());
            List<Sandbox> backends = new ArrayList<>();
            for (String name : List.of("b1", "b2", "b3")) {
                Sandbox sb = join(c, net, name, EndpointOptions.none().backendOf("web"));
                traffic.serve(sb, name);
                backends.add(sb);
            }
            String address = IpPrefix.format(vip.ipv4().address());
            assertThat(vip.state().joined()).isFalse();

            Map<String, Integer> answers = traffic.connect(client, address, CONNECTIONS);
            assertThat(answers.keySet()).as(answers.toString()).containsExactly("b1", "b2", "b3");
            answers.values().forEach(n -> assertThat(n).as(answers.toString()).isBetween(800, 1200));

            assertThat(slots(backends.get(0), vip)).as("a backend does not balance to its own service, so adding the"
                    + " Nth backend costs the clients' tables only").isEmpty();
            Endpoint b2 = net.endpoint("b2");
            b2.leave(backends.get(1));
            Map<String, Integer> after = traffic.connect(client, address, 300);
            assertThat(after.keySet()).as("b2 left: " + after).containsExactly("b1", "b3");
            after.values().forEach(n -> assertThat(n).as(after.toString()).isBetween(120, 180));

            Sandbox late = join(c, net, "late", EndpointOptions.none());
            assertThat(traffic.connect(late, address, 30).keySet()).as("a client joining later reaches the same two")
                    .containsExactly("b1", "b3");
            assertThat(slots(late, vip)).as("slots stay dense").hasSize(2);

            nft(late, "delete", "table", "ip", "weft-vip"); // behind weft's back
            assertThat(slots(late, vip)).isEmpty();
            c.reinstallServiceVips();
            assertThat(slots(late, vip)).as("reinstalled from the records").hasSize(2);
            c.reinstallServiceVips();
            assertThat(traffic.connect(late, address, 30).keySet()).as("reinstalling twice changes nothing")
                    .containsExactly("b1", "b3");

            f.restart();
            assertThat(traffic.connect(client, address, 30).keySet()).as("after a restart").containsExactly("b1", "b3");

            Sandbox stray = f.controller().sandbox("late");
            Endpoint again = f.controller().network("vipnet").endpoint("web");
            assertThatThrownBy(() -> again.join(stray)).isInstanceOf(WeftException.class)
                    .hasMessageContaining("is a service's virtual IP");
            again.delete();
            assertThat(slots(client, vip)).as("the virtual IP is gone with its endpoint").isEmpty();

            Network dual = f.controller().newNetwork(NetworkConfig.of("vipdual", "bridge")
                    .withIpv4(IpamConfig.subnet("203.0.113.0/24")).withIpv6(IpamConfig.subnet("2001:db8:77::/64")));
            Endpoint dualVip = dual.createEndpoint("api", EndpointOptions.none().asVirtualIp());
            assertThat(dualVip.ipv4()).isNotNull();
            assertThat(dualVip.ipv6()).as("a virtual IP balances IPv4 only, so it gets no IPv6 address").isNull();
            dualVip.delete();
            dual.delete();
        }
    }

    @Test
    void aVirtualIpOnAnOverlayBalancesAcrossHostsAndForgetsABackendThatLeaves() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(2); RunDir dir = new RunDir();
             StoreServer etcd = StoreServer.etcdOnLoopback(dir.path().resolve("etcd"));
             VipTraffic traffic = new VipTraffic()) {
            List<AutoCloseable> open = new ArrayList<>();
            try {
                Controller a = OverlayHosts.start(hosts.get(0).netns(), IpPrefix.format(hosts.get(0).address()),
                        dir.path().resolve("a"), etcd.url() + "/vip-test", open);
                Controller b = OverlayHosts.start(hosts.get(1).netns(), IpPrefix.format(hosts.get(1).address()),
                        dir.path().resolve("b"), etcd.url() + "/vip-test", open);
                Network onA = a.newNetwork(NetworkConfig.of("vipov", "overlay").withIpv4(IpamConfig.subnet("203.0.113.0/24")));
                Eventually.holds(15, () -> b.networks().stream().anyMatch(n -> n.name().equals("vipov")));
                Network onB = b.network("vipov");
                Endpoint vip = onA.createEndpoint("web", EndpointOptions.none().asVirtualIp());
                Sandbox b1 = join(a, onA, "b1", EndpointOptions.none().backendOf("web"));
                Sandbox b2 = join(a, onA, "b2", EndpointOptions.none().backendOf("web"));
                Sandbox b3 = join(b, onB, "b3", EndpointOptions.none().backendOf("web"));
                traffic.serve(b1, "b1");
                traffic.serve(b2, "b2");
                traffic.serve(b3, "b3");
                Sandbox client = join(b, onB, "client", EndpointOptions.none());
                Eventually.holds(15, () -> slots(client, vip).size() == 3);
                String address = IpPrefix.format(vip.ipv4().address());

                Map<String, Integer> answers = traffic.connect(client, address, CONNECTIONS);
                assertThat(answers.keySet()).as(answers.toString()).containsExactly("b1", "b2", "b3");
                answers.values().forEach(n -> assertThat(n).as(answers.toString()).isBetween(800, 1200));

                onA.endpoint("b1").leave(b1);
                Eventually.holds(15, () -> slots(client, vip).size() == 2);
                Map<String, Integer> after = traffic.connect(client, address, 300);
                assertThat(after.keySet()).as("b1 left on the other host: " + after).containsExactly("b2", "b3");
                after.values().forEach(n -> assertThat(n).as(after.toString()).isBetween(120, 180));

                for (Sandbox sb : List.of(b1, b2)) {
                    sb.endpoints().forEach(e -> e.leave(sb));
                    sb.delete();
                }
                for (Sandbox sb : List.of(b3, client)) {
                    sb.endpoints().forEach(e -> e.leave(sb));
                    sb.delete();
                }
                onA.endpoints().forEach(Endpoint::delete);
                onA.delete();
            } finally {
                for (int i = open.size() - 1; i >= 0; i--) {
                    open.get(i).close();
                }
            }
        }
    }

    private static Sandbox join(Controller c, Network net, String name, EndpointOptions options) {
        Sandbox sb = c.newSandbox(name, SandboxOptions.named(name));
        net.createEndpoint(name, options).join(sb);
        return sb;
    }

    /** The backend addresses the sandbox's table holds for {@code vip}, by slot, read from the kernel. */
    static List<String> slots(Sandbox sb, Endpoint vip) {
        byte[] out = nft(sb, "-j", "list", "map", "ip", "weft-vip", "b_" + vip.id().substring(0, 12));
        if (out == null) {
            return List.of();
        }
        List<String> slots = new ArrayList<>();
        try {
            for (JsonNode item : JSON.readTree(out).get("nftables")) {
                item.path("map").path("elem").forEach(e -> slots.add(e.get(0).asInt(), e.get(1).asText()));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return slots;
    }

    /** Runs nft with {@code args} in the sandbox's namespace; its output, or null when it fails. */
    private static byte[] nft(Sandbox sb, String... args) {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + sb.netnsPath(), "nft"));
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
