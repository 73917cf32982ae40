package dev.weft.engine;

import dev.weft.engine.driver.bridge.BridgeDriver;
import dev.weft.engine.ipam.Ipam;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.linux.Shell;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Namespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;
import dev.weft.testkit.RunDir;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a controller process with SIGKILL at random moments of a create/join/leave/delete loop,
 * 50 times, and checks after each restart that store, IPAM and kernel agree: no leaked link,
 * namespace, address or pool, and no address held twice.
 */
class CrashSafetyTest {
    private static final int KILLS = 50;

    @Test
    void fiftyKillsLeaveNoLeakAndNoDuplicateAddress() throws Exception {
        Random random = new Random();
        long seed = random.nextLong();
        try (TestNamespaces namespaces = new TestNamespaces(); RunDir runDir = new RunDir()) {
            Netns host = namespaces.create("crash");
            Path data = runDir.path().resolve("weft.db");
            int steps = 0;
            for (int kill = 0; kill < KILLS; kill++) {
                Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                        "-cp", System.getProperty("java.class.path"), CrashWorkload.class.getName(),
                        data.toString(), runDir.path().toString(), host.path().toString(), Long.toString(seed + kill))
                        .redirectErrorStream(true).start();
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                String first = out.readLine();
                assertThat(first).as("the workload started (seed %d, kill %d)", seed, kill).isEqualTo("ready");
                Thread.sleep(20 + random.nextInt(300));
                assertThat(child.isAlive()).as("the workload is still running (seed %d): %s", seed, drain(out)).isTrue();
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
                steps += verify(data, runDir.path(), host);
            }
            cleanUp(data, runDir.path(), host);
            assertThat(steps).as("the workload made progress between kills").isPositive();
        }
    }

    private static String drain(BufferedReader out) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        while (out.ready()) {
            sb.append(out.readLine()).append('\n');
        }
        return sb.toString();
    }

    /** Restarts a controller on the killed one's state and checks that everything agrees. */
    private static int verify(Path data, Path runDir, Netns host) {
        try (Store store = LocalStore.open(data);
             Controller c = Controller.start(ControllerConfig.of(store, runDir, host).withDrivers(List.of(new BridgeDriver(host))))) {
            List<NetworkState> networks = c.engine().state().networks();
            List<EndpointState> endpoints = c.engine().state().endpoints();
            assertThat(networks).noneMatch(NetworkState::deleting);

            Map<InetAddress, String> held = new HashMap<>();
            Set<String> pools = new HashSet<>();
            for (NetworkState n : networks) {
                for (NetworkState.SubnetState s : n.subnets()) {
                    pools.add(s.poolId());
                    held.putAll(c.ipam().holders(s.poolId()));
                }
            }
            assertThat(c.ipam().pools(Ipam.LOCAL_SPACE)).extracting(Ipam.Pool::id).containsExactlyInAnyOrderElementsOf(pools);
            Set<InetAddress> endpointAddresses = new HashSet<>();
            for (EndpointState ep : endpoints) {
                InetAddress ip = IpPrefix.parse(ep.ipv4()).address();
                assertThat(endpointAddresses.add(ip)).as("address %s recorded twice", ip).isTrue();
                assertThat(held.get(ip)).as("IPAM holder of %s", ip).isEqualTo(ep.id());
            }
            assertThat(held.values().stream().filter(o -> !o.equals("gateway")).count())
                    .as("every held address belongs to an endpoint").isEqualTo(endpoints.size());

            Set<String> sandboxNetns = new HashSet<>();
            c.engine().state().sandboxes().forEach(s -> sandboxNetns.add(Path.of(s.netnsPath()).getFileName().toString()));
            assertThat(new Namespaces(runDir.resolve("netns")).list()).containsExactlyInAnyOrderElementsOf(sandboxNetns);

            Set<String> expectedLinks = new HashSet<>();
            networks.forEach(n -> expectedLinks.add("wb-" + n.id().substring(0, 12)));
            endpoints.stream().filter(EndpointState::joined).forEach(e -> expectedLinks.add("wv" + e.id().substring(0, 13)));
            try (Rtnetlink nl = Rtnetlink.open(host)) {
                Set<String> links = new HashSet<>();
                for (Link l : nl.links().list()) {
                    if (l.name().startsWith("wb-") || l.name().startsWith("wv")) {
                        links.add(l.name());
                    }
                }
                assertThat(links).containsExactlyInAnyOrderElementsOf(expectedLinks);
            }
            String tables = Shell.run("ip", "netns", "exec", host.name(), "nft", "list", "tables");
            assertThat(tables.contains("inet weft")).isEqualTo(!networks.isEmpty());
            return endpoints.size() + networks.size();
        }
    }

    private static void cleanUp(Path data, Path runDir, Netns host) {
        try (Store store = LocalStore.open(data);
             Controller c = Controller.start(ControllerConfig.of(store, runDir, host).withDrivers(List.of(new BridgeDriver(host))))) {
            for (Sandbox sb : c.sandboxes()) {
                sb.delete();
            }
            for (Network n : new ArrayList<>(c.networks())) {
                n.endpoints().forEach(Endpoint::delete);
                n.delete();
            }
        }
    }
}
