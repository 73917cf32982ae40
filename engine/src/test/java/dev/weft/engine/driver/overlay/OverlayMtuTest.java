package dev.weft.engine.driver.overlay;

import dev.weft.engine.Controller;
import dev.weft.engine.ControllerFixture;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.driver.bridge.BridgeDriver;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.net.IpPrefix;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;
import dev.weft.testkit.RunDir;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MTUs on a host whose underlay (eth0, the advertise address, MTU 1500) is not the interface of
 * its default route (eth1, MTU 1400): an overlay network takes the underlay's minus 50, a bridge
 * network the default route's.
 */
class OverlayMtuTest {
    private static final String ADVERTISE = "192.0.2.1";

    @Test
    void theOverlayKeepsTheUnderlayMinus50WhileABridgeTakesTheDefaultRoutes() throws Exception {
        try (RunDir dir = new RunDir(); Store global = LocalStore.open(dir.path().resolve("global.db"));
             ControllerFixture fixture = new ControllerFixture("ovm", h -> List.of(
                     new OverlayDriver(h, global, IpPrefix.parseAddress(ADVERTISE)), new BridgeDriver(h)),
                     c -> c.withGlobalStore(global, ADVERTISE))) {
            try (Rtnetlink h = Rtnetlink.open(fixture.host())) {
                h.links().create(new LinkSpec.Veth("eth0", "gwpeer0"));
                h.links().create(new LinkSpec.Veth("eth1", "gwpeer1"));
                h.links().setMtu("eth1", 1400);
                for (String link : List.of("eth0", "gwpeer0", "eth1", "gwpeer1")) {
                    h.links().setUp(link);
                }
                h.addresses().add("eth0", IpPrefix.parse(ADVERTISE + "/24"));
                h.addresses().add("eth1", IpPrefix.parse("198.51.100.1/24"));
                h.routes().add(Route.defaultVia(IpPrefix.parseAddress("198.51.100.2")));
            }
            Controller controller = fixture.controller();
            Network overlay = controller.newNetwork(NetworkConfig.of("ov", "overlay").withIpv4(IpamConfig.subnet("203.0.113.0/25")));
            Network bridge = controller.newNetwork(NetworkConfig.of("br", "bridge").withIpv4(IpamConfig.subnet("203.0.113.128/25")));
            Sandbox a = controller.newSandbox("a", SandboxOptions.named("a"));
            overlay.createEndpoint("a").join(a);
            bridge.createEndpoint("a").join(a);
            try (Netns ns = Netns.open(a.netnsPath()); Rtnetlink nl = Rtnetlink.open(ns)) {
                assertThat(nl.links().get(overlay.endpoint("a").state().ifname()).mtu()).isEqualTo(1450);
                assertThat(nl.links().get(bridge.endpoint("a").state().ifname()).mtu()).isEqualTo(1400);
            }
        }
    }
}
