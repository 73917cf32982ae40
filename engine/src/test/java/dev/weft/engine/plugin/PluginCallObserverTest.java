package dev.weft.engine.plugin;

import dev.weft.engine.EngineObserver;
import dev.weft.engine.WeftException;
import dev.weft.linux.TestNamespaces;
import dev.weft.testkit.RunDir;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every call a {@link PluginClient} makes is told to its observer, with the plugin, method and outcome. */
class PluginCallObserverTest {

    @Test
    void everyCallIsReportedWithItsOutcome() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        EngineObserver observer = new EngineObserver() {
            @Override
            public void pluginCall(String plugin, String method, String outcome, long nanos) {
                assertThat(nanos).isPositive();
                seen.add(plugin + " " + method + " " + outcome);
            }
        };
        try (TestNamespaces namespaces = new TestNamespaces(); RunDir dir = new RunDir()) {
            Path socket = dir.path().resolve("fakenet.sock");
            PluginClient client = new PluginClient("fakenet", () -> new PluginAddress.Unix(socket), Duration.ofSeconds(5),
                    List.of(Duration.ofMillis(10))).observedBy(observer);
            try (FakePlugin plugin = new FakePlugin(socket, namespaces.create("mpc"))) {
                client.call("Plugin.Activate", null);
                plugin.reply("NetworkDriver.Join", 200, "{\"Err\": \"no room\"}");
                assertThatThrownBy(() -> client.call("NetworkDriver.Join", null)).isInstanceOf(WeftException.class);
                plugin.reply("NetworkDriver.Leave", 404, "");
                assertThatThrownBy(() -> client.call("NetworkDriver.Leave", null)).isInstanceOf(WeftException.class);
            }
            assertThatThrownBy(() -> client.call("NetworkDriver.DeleteNetwork", null)).isInstanceOf(WeftException.class);
        }
        assertThat(seen).containsExactly("fakenet Plugin.Activate ok", "fakenet NetworkDriver.Join refused",
                "fakenet NetworkDriver.Leave not_implemented", "fakenet NetworkDriver.DeleteNetwork failed");
    }
}
