package dev.weft.engine;

import dev.weft.engine.driver.bridge.BridgeDriver;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sandboxes in another runtime's namespace (SandboxOptions.inNamespace, what a CNI runtime hands
 * over): joined under a chosen interface name, the namespace left in place when the sandbox goes,
 * kept across a restart while it exists and forgotten (with its join undone) once it is gone.
 */
class AdoptedSandboxTest {
    private final ControllerFixture fixture = new ControllerFixture("ad", h -> List.of(new BridgeDriver(h)));
    private final TestNamespaces runtime = new TestNamespaces();

    @AfterEach
    void close() {
        try {
            runtime.close();
        } finally {
            fixture.close();
        }
    }

    private static List<String> links(Netns ns) {
        try (Rtnetlink nl = Rtnetlink.open(ns)) {
            return nl.links().list().stream().map(Link::name).toList();
        }
    }

    @Test
    void adoptsJoinsUnderAChosenNameAndLeavesTheNamespace() {
        Controller c = fixture.controller();
        Network net = c.newNetwork(NetworkConfig.of("adnet", "bridge").withIpv4(IpamConfig.subnet("198.51.100.0/24")));
        Netns ns = runtime.create("r");
        Sandbox sb = c.newSandbox("cni:x:net1", new SandboxOptions(null, null, false, List.of()).inNamespace(ns.path()));
        assertThat(sb.adopted()).isTrue();
        assertThat(sb.netnsPath()).isEqualTo(ns.path());
        Endpoint ep = net.createEndpoint("e1");
        ep.join(sb, 0, "net1");
        assertThat(links(ns)).contains("net1", "lo");
        assertThat(ep.state().ifname()).isEqualTo("net1");
        Endpoint other = c.newNetwork(NetworkConfig.of("adnet2", "bridge").withIpv4(IpamConfig.subnet("203.0.113.0/24")))
                .createEndpoint("e2");
        Sandbox joined = sb;
        assertThatThrownBy(() -> other.join(joined, 0, "net1")).isInstanceOf(WeftException.class).hasMessageContaining("net1");
        assertThat(Files.exists(c.sandboxFilesDirectory(sb.id()))).as("no hosts or resolv.conf for another runtime's container")
                .isFalse();
        Sandbox own = c.newSandbox("own", SandboxOptions.named("own"));
        assertThat(own.adopted()).isFalse();

        c = fixture.restart();
        sb = c.sandbox("cni:x:net1");
        assertThat(sb.endpoints()).hasSize(1);
        sb.endpoints().getFirst().leave(sb);
        sb.delete();
        assertThat(links(ns)).containsExactly("lo");
        assertThat(runtime.namespaces().isMounted(ns.name())).as("the runtime's namespace stays").isTrue();
        c.sandbox("own").delete();
    }

    @Test
    void aRestartForgetsASandboxWhoseNamespaceTheRuntimeRemoved() {
        Controller c = fixture.controller();
        Network net = c.newNetwork(NetworkConfig.of("adnet3", "bridge").withIpv4(IpamConfig.subnet("198.51.100.0/24")));
        Netns ns = runtime.create("r");
        Sandbox sb = c.newSandbox("cni:y:eth0", new SandboxOptions(null, null, false, List.of()).inNamespace(ns.path()));
        net.createEndpoint("e3").join(sb, 0, "eth0");
        fixture.stop();
        runtime.close(); // the runtime removes its namespace while weft is down
        c = fixture.restart();
        assertThatThrownBy(() -> fixture.controller().sandbox("cni:y:eth0")).isInstanceOf(WeftException.class);
        Endpoint ep = c.network("adnet3").endpoint("e3");
        assertThat(ep.state().joined()).isFalse();
        ep.delete();
        try (Rtnetlink host = Rtnetlink.open(fixture.host())) {
            assertThat(host.links().list()).extracting(Link::name).noneMatch(n -> n.startsWith("wv"));
        }
    }

    @Test
    void refusesAPathThatIsNoNamespace() {
        assertThatThrownBy(() -> fixture.controller().newSandbox("cni:z:eth0",
                new SandboxOptions(null, null, false, List.of()).inNamespace(java.nio.file.Path.of("/nonexistent"))))
                .isInstanceOf(WeftException.class).hasMessageContaining("does not exist");
        assertThat(fixture.controller().sandboxes()).isEmpty();
    }
}
