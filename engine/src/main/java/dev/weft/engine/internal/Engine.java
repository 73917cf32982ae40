package dev.weft.engine.internal;

import dev.weft.engine.ControllerConfig;
import dev.weft.engine.EngineObserver;
import dev.weft.engine.ipam.DefaultIpam;
import dev.weft.engine.ipam.Ipam;
import dev.weft.engine.ipam.PredefinedPools;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.engine.state.SandboxState;
import dev.weft.linux.netns.Namespaces;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.net.IpPrefix;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine behind the public {@code Controller}: builds the store, IPAM, drivers and operations
 * from a configuration, reconciles them with the kernel at start, and hands the operations to the
 * public API. Nothing in this package knows the API's handles; they call down, never back.
 */
public final class Engine implements AutoCloseable {
    private final StateStore state;
    private final Rtnetlink host;
    private final Drivers drivers;
    private final Context context;
    private final SandboxFiles files;
    private final Namespaces namespaces;
    private final SandboxPorts ports;
    private final NetworkOps networks;
    private final EndpointOps endpoints;
    private final SandboxOps sandboxes;
    private final GlobalSync global;
    private final GlobalSweep sweep;
    private final EngineObserver observer;
    private final ServiceVips vips;

    private Engine(ControllerConfig config) {
        this.observer = config.observer();
        this.state = new StateStore(config.store(), config.globalStore(), config.advertise());
        this.host = config.host() == null ? Rtnetlink.open() : Rtnetlink.open(config.host());
        Map<String, PredefinedPools> pools = new LinkedHashMap<>(Map.of(
                Ipam.LOCAL_SPACE, PredefinedPools.localDefault(),
                Ipam.GLOBAL_SPACE, PredefinedPools.globalDefault()));
        pools.putAll(config.defaultPools());
        DefaultIpam ipam = new DefaultIpam(config.store(), config.globalStore(), pools, this::hostRoutes);
        this.drivers = new Drivers(config.drivers(), config.plugins());
        String self = config.globalStore() == null ? null : config.advertise();
        this.context = new Context(state, new ReentrantLock(), drivers, new Ipams(ipam, config.ipamPlugins()), self);
        this.namespaces = new Namespaces(config.runDir().resolve("netns"));
        this.files = new SandboxFiles(config.runDir(), config.hostResolvConf(), config.embeddedDns());
        this.ports = new SandboxPorts(state, namespaces, files);
        this.networks = new NetworkOps(context);
        this.vips = new ServiceVips(context, ports, this::reachable);
        this.endpoints = new EndpointOps(context, ports, vips);
        this.sandboxes = new SandboxOps(context, namespaces, files, ports, endpoints);
        this.global = config.globalStore() == null ? null : new GlobalSync(context, config.globalStore(), self, vips);
        this.sweep = config.globalStore() == null ? null
                : new GlobalSweep(config.globalStore(), state, ipam, config.sweepInterval(), observer);
    }

    /** Builds the engine and reconciles store, IPAM and kernel before returning it. */
    public static Engine start(ControllerConfig config) {
        Engine e = new Engine(config);
        try {
            new Reconciler(e.context, e.namespaces, e.files, e.ports, e.networks).run(e.observer);
            e.vips.reinstall();
            if (e.global != null) {
                e.global.start();
                e.sweep.start();
            }
            return e;
        } catch (RuntimeException failure) {
            if (e.global != null) {
                e.sweep.close();
                e.global.close();
            }
            e.state.close();
            e.vips.close();
            e.host.close();
            throw failure;
        }
    }

    /** Who is told of operations, reconciliations and plugin calls (for metrics). */
    public EngineObserver observer() {
        return observer;
    }

    public NetworkOps networks() {
        return networks;
    }

    public EndpointOps endpoints() {
        return endpoints;
    }

    public SandboxOps sandboxes() {
        return sandboxes;
    }

    /** The network with this id, unless it is gone or being deleted. */
    public NetworkState network(String id) {
        return context.network(id);
    }

    /** Every network that is not being deleted. */
    public List<NetworkState> liveNetworks() {
        return state.networks().stream().filter(n -> !n.deleting()).toList();
    }

    public List<SandboxState> allSandboxes() {
        return state.sandboxes();
    }

    /** For tests of this engine: the records as stored. */
    public StateStore state() {
        return state;
    }

    public DefaultIpam ipam() {
        return context.ipams().weft();
    }

    public Path sandboxFilesDirectory(String sandboxId) {
        return files.directory(sandboxId);
    }

    /** Whether an endpoint is on this host or on another host that is alive. */
    public boolean reachable(EndpointState endpoint) {
        return global == null || global.reachable(endpoint);
    }

    /** Grows with every change to the records, here or from other hosts, and with hosts coming and going. */
    public long generation() {
        return state.generation() + (global == null ? 0 : global.liveHostsGeneration());
    }

    /** This host's address in the global store, or null on a single host. */
    public String advertise() {
        return context.self();
    }

    public List<String> driverNames() {
        return drivers.names();
    }

    /**
     * Has every driver check its firewall rules and install again, from its records, whatever
     * someone else removed (under the controller's lock, so no change interleaves). What was
     * missing, driver by driver; empty when everything was in place.
     */
    public List<String> restoreFirewalls() {
        context.lock().lock();
        try {
            List<String> damage = new ArrayList<>();
            for (var d : drivers.all()) {
                d.restoreFirewall().forEach(line -> damage.add(d.name() + ": " + line));
            }
            return damage;
        } finally {
            context.lock().unlock();
        }
    }

    /**
     * Rewrites every local sandbox's service virtual IP rules from the records: idempotent, for
     * whatever notices that they may have been removed behind weft's back.
     */
    public void reinstallServiceVips() {
        vips.reinstall();
    }

    /** Sweeps orphaned global allocations now (see {@link GlobalSweep}); the keys freed. */
    public List<String> sweepNow() {
        return sweep == null ? List.of() : sweep.sweepNow();
    }

    private List<IpPrefix> hostRoutes() {
        return host.routes().list().stream().map(Route::destination).toList();
    }

    /** Closes the sockets; networks, endpoints and sandboxes stay as they are. */
    @Override
    public void close() {
        if (global != null) {
            sweep.close();
            global.close();
        }
        state.close();
        vips.close();
        ports.closeAll();
        drivers.closeAll();
        host.close();
    }
}
