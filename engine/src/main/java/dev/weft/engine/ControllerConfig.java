package dev.weft.engine;

import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.ipam.Ipam;
import dev.weft.engine.ipam.PredefinedPools;
import dev.weft.linux.netns.Netns;
import dev.weft.store.Store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How a controller is wired: its store, its run directory (sandbox namespaces are bound under
 * {@code runDir/netns}, their hosts and resolv.conf files kept under {@code runDir/sandboxes}),
 * the network namespace it treats as the host (the process's own when null, or a simulated
 * host's in tests), the drivers beyond the built-in ones, the default pools, the host's
 * resolv.conf that sandboxes' files derive from, the embedded DNS server's address (or null),
 * for multi-host networking the global store shared with the other hosts and this host's
 * advertise address in it (both null on a single host), and how to find a network plugin for a
 * driver name no built-in driver has, an IPAM plugin for a network's IPAM driver name (null:
 * no plugins), how often orphaned global allocations are swept (null: every minute), and who is
 * told what the engine does, for metrics (null: nobody).
 */
public record ControllerConfig(Store store, Path runDir, Netns host, List<NetworkDriver> drivers,
                               Map<String, PredefinedPools> defaultPools, Path hostResolvConf, String embeddedDns,
                               Store globalStore, String advertise, Function<String, NetworkDriver> plugins,
                               Function<String, Ipam> ipamPlugins, Duration sweepInterval,
                               EngineObserver observer) {
    /** How often a host sweeps orphaned allocations out of the global store, unless configured otherwise. */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(60);

    public ControllerConfig {
        drivers = drivers == null ? List.of() : List.copyOf(drivers);
        defaultPools = defaultPools == null ? Map.of() : Map.copyOf(defaultPools);
        hostResolvConf = hostResolvConf == null ? Path.of("/etc/resolv.conf") : hostResolvConf;
        sweepInterval = sweepInterval == null ? DEFAULT_SWEEP_INTERVAL : sweepInterval;
        observer = observer == null ? EngineObserver.NONE : observer;
    }

    public static ControllerConfig of(Store store, Path runDir, Netns host) {
        return new ControllerConfig(store, runDir, host, List.of(), Map.of(), null, null, null, null, null, null, null, null);
    }

    public ControllerConfig withDrivers(List<NetworkDriver> more) {
        return new ControllerConfig(store, runDir, host, more, defaultPools, hostResolvConf, embeddedDns, globalStore, advertise, plugins, ipamPlugins, sweepInterval, observer);
    }

    public ControllerConfig withDefaultPools(Map<String, PredefinedPools> pools) {
        return new ControllerConfig(store, runDir, host, drivers, pools, hostResolvConf, embeddedDns, globalStore, advertise, plugins, ipamPlugins, sweepInterval, observer);
    }

    public ControllerConfig withHostResolvConf(Path file) {
        return new ControllerConfig(store, runDir, host, drivers, defaultPools, file, embeddedDns, globalStore, advertise, plugins, ipamPlugins, sweepInterval, observer);
    }

    /**
     * Sandboxes' resolv.conf points at an embedded DNS server listening at {@code address} inside
     * each sandbox (the daemon runs it), instead of copying the host's nameservers.
     */
    public ControllerConfig withEmbeddedDns(String address) {
        return new ControllerConfig(store, runDir, host, drivers, defaultPools, hostResolvConf, address, globalStore, advertise, plugins, ipamPlugins, sweepInterval, observer);
    }

    /**
     * Shares networks of global scope (and their IPAM) with other hosts through {@code global};
     * {@code advertise} is this host's address there (the overlay's VTEP address).
     */
    public ControllerConfig withGlobalStore(Store global, String advertiseAddress) {
        return new ControllerConfig(store, runDir, host, drivers, defaultPools, hostResolvConf, embeddedDns, global,
                advertiseAddress, plugins, ipamPlugins, sweepInterval, observer);
    }

    /**
     * Drivers that are network plugins, found by name when a network first names one: the
     * function returns the plugin's driver or throws NOT_FOUND saying where it looked.
     */
    public ControllerConfig withPlugins(Function<String, NetworkDriver> lookup) {
        return new ControllerConfig(store, runDir, host, drivers, defaultPools, hostResolvConf, embeddedDns, globalStore,
                advertise, lookup, ipamPlugins, sweepInterval, observer);
    }

    /** IPAM plugins, found by name when a network first names one (as {@link #withPlugins} for drivers). */
    public ControllerConfig withIpamPlugins(Function<String, Ipam> lookup) {
        return new ControllerConfig(store, runDir, host, drivers, defaultPools, hostResolvConf, embeddedDns, globalStore,
                advertise, plugins, lookup, sweepInterval, observer);
    }

    /**
     * Sweeps orphaned global allocations every {@code interval} instead of every
     * {@link #DEFAULT_SWEEP_INTERVAL}; zero or negative: never on its own (tests sweep by hand).
     */
    public ControllerConfig withSweepInterval(Duration interval) {
        return new ControllerConfig(store, runDir, host, drivers, defaultPools, hostResolvConf, embeddedDns, globalStore,
                advertise, plugins, ipamPlugins, interval, observer);
    }

    /** Tells {@code o} of every operation, reconciliation and plugin call, for metrics. */
    public ControllerConfig withObserver(EngineObserver o) {
        return new ControllerConfig(store, runDir, host, drivers, defaultPools, hostResolvConf, embeddedDns, globalStore,
                advertise, plugins, ipamPlugins, sweepInterval, o);
    }
}
