package dev.weft.engine;

import dev.weft.engine.driver.bridge.BridgeDriver;
import dev.weft.linux.netns.Netns;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;

import java.nio.file.Path;
import java.util.List;

/** The README's library example, verbatim between the markers; ReadmeExampleTest runs it and compares. */
final class ReadmeExample {
    private ReadmeExample() {
    }

    static String run(Path dataDir, Path runDir, Netns host) {
        // README-BEGIN
        // host: the network namespace weft treats as the host (null: the machine's own)
        try (Store store = LocalStore.open(dataDir.resolve("weft.db"));
             Controller controller = Controller.start(ControllerConfig.of(store, runDir, host)
                     .withDrivers(List.of(new BridgeDriver(host))))) {
            Network network = controller.newNetwork(NetworkConfig.of("network1", "bridge")
                    .withIpv4(IpamConfig.subnet("192.0.2.0/24")));
            Endpoint ep = network.createEndpoint("Endpoint1");
            Sandbox sandbox = controller.newSandbox("container1", SandboxOptions.named("test"));
            ep.join(sandbox);
            String info = ep.mac() + " " + ep.ipv4();
            System.out.println(info); // 02:42:c0:00:02:02 192.0.2.2/24

            ep.leave(sandbox);
            ep.delete();
            sandbox.delete();
            network.delete();
            return info;
        }
        // README-END
    }
}
