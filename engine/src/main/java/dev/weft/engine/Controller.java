package dev.weft.engine;

import dev.weft.engine.driver.HostDriver;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.driver.NullDriver;
import dev.weft.engine.ipam.DefaultIpam;
import dev.weft.engine.ipam.Ipam;
import dev.weft.engine.ipam.PredefinedPools;
import dev.weft.engine.state.NetworkState;
import dev.weft.engine.state.StateStore;
import dev.weft.linux.netns.Namespaces;
import dev.weft.net.IpPrefix;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The CNM controller: owns networks, endpoints and sandboxes, keeps them in the store, and has
 * the drivers and IPAM do the work. Start it with {@link #start}: it first reconciles the store,
 * the IPAM and the kernel, so that whatever a killed predecessor left half-done is finished or
 * undone. All changes are serialized by one lock; reads go to the store.
 */
public final class Controller implements AutoCloseable {
    private final ControllerConfig config;
    private final StateStore state;
    private final DefaultIpam ipam;
    private final Map<String, NetworkDriver> drivers = new LinkedHashMap<>();
    private final Namespaces sandboxNamespaces;
    private final SandboxFiles sandboxFiles;
    private final Rtnetlink host;
    private final ReentrantLock lock = new ReentrantLock();
    private final NetworkOps networks;
    private final EndpointOps endpoints;
    private final SandboxOps sandboxes;
    private final GlobalSync global;
    private final GlobalSweep sweep;
    private final Map<String, Ipam> ipamPlugins = new LinkedHashMap<>();

    private Controller(ControllerConfig config) {
        this.config = config;
        this.state = new StateStore(config.store(), config.globalStore(), config.advertise());
        this.host = config.host() == null ? Rtnetlink.open() : Rtnetlink.open(config.host());
        Map<String, PredefinedPools> pools = new LinkedHashMap<>(Map.of(
                Ipam.LOCAL_SPACE, PredefinedPools.localDefault(),
                Ipam.GLOBAL_SPACE, PredefinedPools.globalDefault()));
        pools.putAll(config.defaultPools());
        this.ipam = new DefaultIpam(config.store(), config.globalStore(), pools, this::hostRoutes);
        for (NetworkDriver d : List.of(new NullDriver(), new HostDriver())) {
            drivers.put(d.name(), d);
        }
        for (NetworkDriver d : config.drivers()) {
            drivers.put(d.name(), d);
        }
        this.sandboxNamespaces = new Namespaces(config.runDir().resolve("netns"));
        this.sandboxFiles = new SandboxFiles(config.runDir(), config.hostResolvConf(), config.embeddedDns());
        this.networks = new NetworkOps(this);
        this.endpoints = new EndpointOps(this);
        this.sandboxes = new SandboxOps(this);
        this.global = config.globalStore() == null ? null : new GlobalSync(this, config.globalStore(), config.advertise());
        this.sweep = config.globalStore() == null ? null
                : new GlobalSweep(config.globalStore(), state, ipam, config.sweepInterval());
    }

    /** Creates the controller and reconciles store, IPAM and kernel before returning it. */
    public static Controller start(ControllerConfig config) {
        Controller c = new Controller(config);
        try {
            new Reconciler(c).run();
            if (c.global != null) {
                c.global.start();
                c.sweep.start();
            }
            return c;
        } catch (RuntimeException e) {
            if (c.global != null) {
                c.sweep.close();
                c.global.close();
            }
            c.state.close();
            c.host.close();
            throw e;
        }
    }

    public Network newNetwork(NetworkConfig config) {
        return networks.create(config);
    }

    /** The network with this name, full id or unique id prefix. */
    public Network network(String nameOrId) {
        return networks.find(nameOrId);
    }

    public List<Network> networks() {
        return state.networks().stream().filter(n -> !n.deleting()).map(n -> new Network(this, n.id())).toList();
    }

    public Sandbox newSandbox(String containerId, SandboxOptions options) {
        return sandboxes.create(containerId, options);
    }

    /** The sandbox with this id, unique id prefix or container id. */
    public Sandbox sandbox(String idOrContainer) {
        return sandboxes.find(idOrContainer);
    }

    public List<Sandbox> sandboxes() {
        return state.sandboxes().stream().map(s -> new Sandbox(this, s.id())).toList();
    }

    /** Where a sandbox's hosts and resolv.conf files are (for bind mounts into its container). */
    public java.nio.file.Path sandboxFilesDirectory(String sandboxId) {
        return sandboxFiles.directory(sandboxId);
    }

    /**
     * Whether an endpoint's traffic and names should be served here: it is on this host, or on
     * another host that is alive (its key in the global store exists).
     */
    public boolean reachable(dev.weft.engine.state.EndpointState endpoint) {
        return global == null || global.reachable(endpoint);
    }

    /**
     * Grows with every change to networks, endpoints and sandboxes, here or from other hosts:
     * what is derived from them can be cached until it moves.
     */
    public long generation() {
        return state.generation() + (global == null ? 0 : global.liveHostsGeneration());
    }

    /** This host's address in the global store, or null on a single host. */
    public String advertise() {
        return global == null ? null : global.self();
    }

    /** The names of the drivers this controller knows. */
    public List<String> driverNames() {
        synchronized (drivers) {
            return List.copyOf(drivers.keySet());
        }
    }

    // ---- for the operations in this package ----

    /** Sweeps orphaned global allocations now (see {@link GlobalSweep}); the keys freed. */
    List<String> sweepNow() {
        return sweep == null ? List.of() : sweep.sweepNow();
    }

    NetworkOps networkOps() {
        return networks;
    }

    EndpointOps endpointOps() {
        return endpoints;
    }

    SandboxOps sandboxOps() {
        return sandboxes;
    }

    StateStore state() {
        return state;
    }

    /**
     * weft's address manager, for an IPAM front end that hands its pools and addresses to another
     * orchestrator (weftd's Docker IpamDriver), in address spaces of its own so that the reconciler,
     * which only sweeps weft's spaces, leaves them alone.
     */
    public DefaultIpam ipam() {
        return ipam;
    }

    /** The IPAM of a network: weft's own for null, else the IPAM plugin of that name, found once. */
    Ipam ipamFor(String driver) {
        if (driver == null) {
            return ipam;
        }
        synchronized (ipamPlugins) {
            Ipam found = ipamPlugins.get(driver);
            if (found == null) {
                if (config.ipamPlugins() == null) {
                    throw WeftException.notFound("no IPAM driver \"" + driver + "\" (available: default)");
                }
                found = config.ipamPlugins().apply(driver);
                ipamPlugins.put(driver, found);
            }
            return found;
        }
    }

    ReentrantLock lock() {
        return lock;
    }

    Namespaces sandboxNamespaces() {
        return sandboxNamespaces;
    }

    SandboxFiles sandboxFiles() {
        return sandboxFiles;
    }

    /** The driver called {@code name}: a built-in one, else a network plugin of that name, found once. */
    NetworkDriver driver(String name) {
        synchronized (drivers) {
            NetworkDriver d = drivers.get(name);
            if (d != null) {
                return d;
            }
            String available = "no network driver \"" + name + "\" (available: " + String.join(", ", drivers.keySet()) + ")";
            if (config.plugins() == null) {
                throw WeftException.notFound(available);
            }
            try {
                d = config.plugins().apply(name);
            } catch (WeftException e) {
                if (e.kind() != WeftException.Kind.NOT_FOUND) {
                    throw e;
                }
                throw WeftException.notFound(available + ", and " + e.getMessage());
            }
            drivers.put(name, d);
            return d;
        }
    }

    NetworkState networkState(String id) {
        return state.network(id).filter(n -> !n.deleting())
                .orElseThrow(() -> WeftException.notFound("network " + id + " not found"));
    }

    private List<IpPrefix> hostRoutes() {
        List<IpPrefix> out = new ArrayList<>();
        for (Route r : host.routes().list()) {
            out.add(r.destination());
        }
        return out;
    }

    /** Closes the controller's sockets; networks, endpoints and sandboxes stay as they are. */
    @Override
    public void close() {
        if (global != null) {
            sweep.close();
            global.close();
        }
        state.close();
        sandboxes.closeAll();
        synchronized (drivers) {
            drivers.values().forEach(NetworkDriver::close);
        }
        host.close();
    }
}
