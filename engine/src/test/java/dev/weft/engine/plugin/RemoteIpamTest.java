package dev.weft.engine.plugin;

import dev.weft.engine.Controller;
import dev.weft.engine.ControllerConfig;
import dev.weft.engine.Endpoint;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.driver.remote.RemoteDriver;
import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;
import dev.weft.testkit.RunDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A network whose driver and IPAM are both a plugin, as `docker network create -d P --ipam-driver P`:
 * pools and addresses come from the plugin's IpamDriver calls, in libnetwork's order and with its
 * field names, and are given back when the endpoint and the network go.
 */
class RemoteIpamTest {
    private static final String PLUGIN = "fakenet";
    private final TestNamespaces namespaces = new TestNamespaces();
    private final RunDir runDir = new RunDir();
    private final Store store = LocalStore.inMemory();
    private Path pluginDir;
    private FakePlugin plugin;
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        Netns host = namespaces.create("ri");
        pluginDir = Files.createTempDirectory("weft-ipam-plugins");
        plugin = new FakePlugin(pluginDir.resolve(PLUGIN + ".sock"), host);
        PluginDiscovery discovery = new PluginDiscovery(List.of(pluginDir), List.of());
        controller = Controller.start(ControllerConfig.of(store, runDir.path(), host)
                .withPlugins(name -> RemoteDriver.of(name, discovery, host))
                .withIpamPlugins(name -> {
                    discovery.address(name);
                    return RemoteIpam.of(name, discovery);
                }));
    }

    @AfterEach
    void stop() throws IOException {
        controller.close();
        plugin.close();
        store.close();
        runDir.close();
        namespaces.close();
        Files.deleteIfExists(pluginDir.resolve(PLUGIN + ".sock"));
        Files.deleteIfExists(pluginDir);
    }

    private List<String> ipamCalls() {
        return plugin.methods().stream().filter(m -> m.startsWith("IpamDriver.")).toList();
    }

    @Test
    void poolsAndAddressesComeFromThePluginAndGoBackToIt() {
        Network net = controller.newNetwork(NetworkConfig.of("blue", PLUGIN).withIpamDriver(PLUGIN)
                .withIpv4(IpamConfig.subnet("192.0.2.0/24")));
        assertThat(net.state().ipamDriver()).isEqualTo(PLUGIN);
        assertThat(net.state().subnets().getFirst().gateway()).isEqualTo("192.0.2.1/24");
        assertThat(plugin.last("IpamDriver.RequestPool").toString())
                .isEqualTo("{\"AddressSpace\":\"fakelocal\",\"Pool\":\"192.0.2.0/24\",\"SubPool\":\"\",\"V6\":false,\"Options\":{}}");
        assertThat(plugin.last("IpamDriver.RequestAddress").path("Options").path("RequestAddressType").asText())
                .isEqualTo("com.docker.network.gateway");

        Sandbox sb = controller.newSandbox("c1", SandboxOptions.named("c1"));
        Endpoint ep = net.createEndpoint("c1");
        assertThat(ep.ipv4()).hasToString("192.0.2.10/24");
        ep.join(sb);
        assertThat(plugin.last("NetworkDriver.CreateEndpoint").path("Interface").path("Address").asText())
                .isEqualTo("192.0.2.10/24");
        ep.leave(sb);
        ep.delete();
        assertThat(plugin.last("IpamDriver.ReleaseAddress").toString())
                .isEqualTo("{\"PoolID\":\"fakelocal/192.0.2.0/24\",\"Address\":\"192.0.2.10\"}");
        net.delete();
        assertThat(ipamCalls()).containsExactly("IpamDriver.GetDefaultAddressSpaces", "IpamDriver.RequestPool",
                "IpamDriver.RequestAddress", "IpamDriver.RequestAddress", "IpamDriver.ReleaseAddress",
                "IpamDriver.ReleaseAddress", "IpamDriver.ReleasePool");
        assertThat(plugin.last("IpamDriver.ReleasePool").path("PoolID").asText()).isEqualTo("fakelocal/192.0.2.0/24");
        assertThat(controller.ipam().pools("LocalDefault")).as("weft's own IPAM untouched").isEmpty();
    }

    @Test
    void aRefusedPoolIsAClearErrorAndNoNetworkIsMade() {
        plugin.reply("IpamDriver.RequestPool", 500, "{\"Err\": \"pool exhausted\"}");
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("blue", PLUGIN).withIpamDriver(PLUGIN)))
                .hasMessageContaining("pool exhausted").hasMessageContaining("IpamDriver.RequestPool");
        assertThat(controller.networks()).isEmpty();
        assertThat(plugin.methods()).doesNotContain("NetworkDriver.CreateNetwork");
    }

    @Test
    void anAddressThatIsNotCidrIsRefusedAndThePoolGivenBack() {
        plugin.reply("IpamDriver.RequestAddress", 200, "{\"Address\": \"192.0.2.1\"}");
        assertThatThrownBy(() -> controller.newNetwork(NetworkConfig.of("blue", PLUGIN).withIpamDriver(PLUGIN)))
                .hasMessageContaining("not an address with a prefix length");
        assertThat(controller.networks()).isEmpty();
        assertThat(ipamCalls()).endsWith("IpamDriver.ReleasePool");
    }
}
