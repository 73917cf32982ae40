package dev.weft.engine.driver.overlay;

import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.OverlayHosts;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three controllers on three simulated hosts share one real etcd: 300 containers attach to one
 * overlay network at once, a hundred on each host, and no address is handed out twice; every
 * host then knows all 300, and a container on the first host reaches one on the third.
 */
class GlobalIpamTest {
    private static final int CONTAINERS = 300;

    @Test
    void threeHostsAttaching300ContainersAtOnceNeverShareAnAddress() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(3); RunDir dir = new RunDir();
             StoreServer etcd = StoreServer.etcdOnLoopback(dir.path().resolve("etcd"))) {
            List<AutoCloseable> open = new ArrayList<>();
            try {
                List<Controller> controllers = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    controllers.add(OverlayHosts.start(hosts.get(i).netns(), IpPrefix.format(hosts.get(i).address()),
                            dir.path().resolve("h" + i), etcd.url() + "/ipam-test", open));
                }
                run(controllers);
            } finally {
                for (int i = open.size() - 1; i >= 0; i--) {
                    open.get(i).close();
                }
            }
        }
    }

    private static void run(List<Controller> controllers) throws Exception {
        Network net = controllers.getFirst().newNetwork(NetworkConfig.of("big", "overlay")
                .withIpv4(IpamConfig.subnet("198.18.0.0/22")));
        for (Controller c : controllers) {
            awaitTrue(() -> c.networks().stream().anyMatch(n -> n.name().equals("big")));
        }
        List<Future<String>> attached = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(12)) {
            for (int i = 0; i < CONTAINERS; i++) {
                Controller c = controllers.get(i % 3);
                String name = "c" + i;
                attached.add(pool.submit(() -> {
                    Sandbox sb = c.newSandbox(name, SandboxOptions.named(name));
                    Endpoint ep = c.network("big").createEndpoint(name);
                    ep.join(sb);
                    return ep.ipv4().address().getHostAddress();
                }));
            }
        }
        Set<String> addresses = new HashSet<>();
        for (Future<String> f : attached) {
            addresses.add(f.get());
        }
        assertThat(addresses).as("every container its own address").hasSize(CONTAINERS);
        for (Controller c : controllers) {
            awaitTrue(() -> c.network("big").endpoints().size() == CONTAINERS);
        }
        Sandbox first = controllers.getFirst().sandbox("c0");
        String third = controllers.get(2).network("big").endpoints().stream().filter(e -> e.name().equals("c2"))
                .findFirst().orElseThrow().ipv4().address().getHostAddress();
        awaitTrue(() -> ping(first, third));

        for (int i = 0; i < CONTAINERS; i++) {
            Controller c = controllers.get(i % 3);
            Sandbox sb = c.sandbox("c" + i);
            for (Endpoint ep : sb.endpoints()) {
                ep.leave(sb);
                ep.delete();
            }
            sb.delete();
        }
        net.delete();
    }

    private static boolean ping(Sandbox from, String to) {
        try {
            Process p = new ProcessBuilder("nsenter", "--net=" + from.netnsPath(), "ping", "-c", "1", "-W", "1", to)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 150; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        assertThat(condition.getAsBoolean()).as("condition within 30 s").isTrue();
    }
}
