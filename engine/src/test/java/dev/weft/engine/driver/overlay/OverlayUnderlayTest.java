package dev.weft.engine.driver.overlay;

import dev.weft.engine.IpamConfig;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.WeftException;
import dev.weft.engine.driver.HostSubnets;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Rtnetlink;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The overlay's underlay is a host object weft only sends from: an overlay subnet that would capture
 * the underlay's own subnet is refused unless explicitly allowed, and the underlay is left as it was.
 */
class OverlayUnderlayTest {
    @Test
    void anOverlaySubnetInsideTheUnderlaysIsRefusedUnlessAllowed() {
        try (TestNamespaces namespaces = new TestNamespaces()) {
            Netns host = namespaces.create("ovu");
            try (Rtnetlink nl = Rtnetlink.open(host)) {
                nl.links().create(new LinkSpec.Veth("eth0", "uplink"));
                nl.addresses().add("eth0", IpPrefix.parse("192.0.2.1/24"));
                nl.links().setUp("eth0");
                Link before = nl.links().get("eth0");
                OverlayDriver driver = new OverlayDriver(host, null, IpPrefix.parseAddress("192.0.2.1"));
                try {
                    NetworkConfig inside = NetworkConfig.of("ov", "overlay").withIpv4(IpamConfig.subnet("192.0.2.128/25"));
                    assertThatThrownBy(() -> driver.hostObjects(inside)).isInstanceOf(WeftException.class)
                            .hasMessageStartingWith("subnet 192.0.2.128/25 overlaps 192.0.2.0/24 of the host's address 192.0.2.1/24 on eth0")
                            .satisfies(e -> assertThat(((WeftException) e).kind()).isEqualTo(WeftException.Kind.INVALID_ARGUMENT));
                    assertThat(driver.hostObjects(inside.withOptions(Map.of(HostSubnets.ALLOW, "true")))).isEmpty();
                    assertThat(driver.hostObjects(NetworkConfig.of("ov", "overlay")
                            .withIpv4(IpamConfig.subnet("203.0.113.0/24")))).isEmpty();
                    driver.validate(inside.withOptions(Map.of(HostSubnets.ALLOW, "true")));
                } finally {
                    driver.close();
                }
                assertThat(nl.links().get("eth0")).as("the underlay is left as it was").isEqualTo(before);
            }
        }
    }
}
