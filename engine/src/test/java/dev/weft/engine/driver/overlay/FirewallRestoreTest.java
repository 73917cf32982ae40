package dev.weft.engine.driver.overlay;

import dev.weft.engine.Controller;
import dev.weft.engine.ControllerConfig;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.driver.bridge.BridgeDriver;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;
import dev.weft.store.StoreUrl;
import dev.weft.store.Stores;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import dev.weft.testkit.StoreServer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Controller.restoreFirewalls}: every driver's tables (the bridge's {@code inet weft}, the
 * overlay's {@code inet weft-overlay}) are checked, put back from the records when someone else
 * removed them, and left alone when intact.
 */
class FirewallRestoreTest {

    @Test
    void theBridgeAndOverlayTablesAreRestoredWhenGoneAndLeftAloneWhenIntact() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(1); RunDir dir = new RunDir();
             StoreServer etcd = StoreServer.etcdOnLoopback(dir.path().resolve("etcd"));
             Store local = LocalStore.open(dir.path().resolve("weft.db"));
             Store global = Stores.open(StoreUrl.parse(etcd.url() + "/restore-test"))) {
            SimulatedHost host = hosts.get(0);
            Netns ns = host.netns();
            String advertise = IpPrefix.format(host.address());
            try (Controller c = Controller.start(ControllerConfig.of(local, dir.path().resolve("run"), ns)
                    .withDrivers(List.of(new BridgeDriver(ns), new OverlayDriver(ns, global, host.address())))
                    .withGlobalStore(global, advertise))) {
                Network bridge = c.newNetwork(NetworkConfig.of("br", "bridge").withIpv4(IpamConfig.subnet("203.0.113.0/24")));
                Network overlay = c.newNetwork(NetworkConfig.of("ov", "overlay").withIpv4(IpamConfig.subnet("198.51.100.0/24")));
                Sandbox a = c.newSandbox("a", SandboxOptions.named("a"));
                bridge.createEndpoint("a").join(a);
                overlay.createEndpoint("a-ov").join(a);
                String before = host.exec("nft", "list", "ruleset");
                assertThat(before).contains("table inet weft {").contains("table inet weft-overlay {");
                assertThat(c.restoreFirewalls()).as("intact: nothing to do").isEmpty();

                host.exec("nft", "flush", "ruleset");
                assertThat(c.restoreFirewalls()).containsExactlyInAnyOrder("bridge: table inet weft is gone",
                        "overlay: table inet weft-overlay is gone");
                assertThat(normalized(host.exec("nft", "list", "ruleset"))).as("as it was").isEqualTo(normalized(before));
                assertThat(c.restoreFirewalls()).isEmpty();

                host.exec("nft", "delete", "rule", "inet", "weft-overlay", "forward", "handle",
                        firstRuleHandle(host, "weft-overlay", "forward"));
                assertThat(c.restoreFirewalls()).singleElement().asString()
                        .startsWith("overlay: table inet weft-overlay: chains and rules");
                assertThat(normalized(host.exec("nft", "list", "ruleset"))).isEqualTo(normalized(before));

                overlay.endpoint("a-ov").leave(a);
                overlay.endpoint("a-ov").delete();
                bridge.endpoint("a").leave(a);
                bridge.endpoint("a").delete();
                c.sandbox("a").delete();
                overlay.delete();
                bridge.delete();
                assertThat(c.restoreFirewalls()).as("tables weft removed itself are not missed").isEmpty();
            }
        }
    }

    private static String firstRuleHandle(SimulatedHost host, String table, String chain) {
        String listing = host.exec("nft", "-a", "list", "chain", "inet", table, chain);
        int at = listing.indexOf("# handle ", listing.indexOf("policy"));
        return listing.substring(at + 9).split("\\s")[0];
    }

    /** The ruleset without what differs between two identical rewrites (rule handles). */
    private static String normalized(String ruleset) {
        return ruleset.replaceAll("# handle \\d+", "");
    }
}
