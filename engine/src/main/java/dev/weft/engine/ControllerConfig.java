package dev.weft.engine;

import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.ipam.PredefinedPools;
import dev.weft.linux.netns.Netns;
import dev.weft.store.Store;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a controller is wired: its store, its run directory (sandbox namespaces are bound under
 * {@code runDir/netns}), the network namespace it treats as the host (the process's own, or a
 * simulated host's in tests), the drivers beyond the built-in ones, and the default pools.
 */
public record ControllerConfig(Store store, Path runDir, Netns host, List<NetworkDriver> drivers,
                               Map<String, PredefinedPools> defaultPools) {
    public ControllerConfig {
        drivers = drivers == null ? List.of() : List.copyOf(drivers);
        defaultPools = defaultPools == null ? Map.of() : Map.copyOf(defaultPools);
    }

    public static ControllerConfig of(Store store, Path runDir, Netns host) {
        return new ControllerConfig(store, runDir, host, List.of(), Map.of());
    }

    public ControllerConfig withDrivers(List<NetworkDriver> more) {
        return new ControllerConfig(store, runDir, host, more, defaultPools);
    }
}
