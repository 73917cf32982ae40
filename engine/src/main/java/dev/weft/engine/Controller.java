package dev.weft.engine;

import dev.weft.engine.internal.Engine;
import dev.weft.engine.ipam.DefaultIpam;
import dev.weft.engine.state.EndpointState;

import java.nio.file.Path;
import java.util.List;

/**
 * The CNM controller: owns networks, endpoints and sandboxes, keeps them in the store, and has
 * the drivers and IPAM do the work. Start it with {@link #start}: it first reconciles the store,
 * the IPAM and the kernel, so that whatever a killed predecessor left half-done is finished or
 * undone. All changes are serialized by one lock; reads go to the store.
 */
public final class Controller implements AutoCloseable {
    private final Engine engine;

    private Controller(Engine engine) {
        this.engine = engine;
    }

    /** Creates the controller and reconciles store, IPAM and kernel before returning it. */
    public static Controller start(ControllerConfig config) {
        return new Controller(Engine.start(config));
    }

    public Network newNetwork(NetworkConfig config) {
        return new Network(engine, engine.observer().timed("network_create", () -> engine.networks().create(config)));
    }

    /** The network with this name, full id or unique id prefix. */
    public Network network(String nameOrId) {
        return new Network(engine, engine.networks().find(nameOrId));
    }

    public List<Network> networks() {
        return engine.liveNetworks().stream().map(n -> new Network(engine, n.id())).toList();
    }

    public Sandbox newSandbox(String containerId, SandboxOptions options) {
        return new Sandbox(engine, engine.observer().timed("sandbox_create",
                () -> engine.sandboxes().create(containerId, options)));
    }

    /** The sandbox with this id, unique id prefix or container id. */
    public Sandbox sandbox(String idOrContainer) {
        return new Sandbox(engine, engine.sandboxes().find(idOrContainer));
    }

    public List<Sandbox> sandboxes() {
        return engine.allSandboxes().stream().map(s -> new Sandbox(engine, s.id())).toList();
    }

    /** Where a sandbox's hosts and resolv.conf files are (for bind mounts into its container). */
    public Path sandboxFilesDirectory(String sandboxId) {
        return engine.sandboxFilesDirectory(sandboxId);
    }

    /**
     * Whether an endpoint's traffic and names should be served here: it is on this host, or on
     * another host that is alive (its key in the global store exists).
     */
    public boolean reachable(EndpointState endpoint) {
        return engine.reachable(endpoint);
    }

    /**
     * Grows with every change to networks, endpoints and sandboxes, here or from other hosts:
     * what is derived from them can be cached until it moves.
     */
    public long generation() {
        return engine.generation();
    }

    /**
     * Rewrites the service virtual IP rules of every sandbox on this host from the records. It is
     * idempotent: a hook for whatever notices that rules may have been removed behind weft's back.
     */
    public void reinstallServiceVips() {
        engine.reinstallServiceVips();
    }

    /** This host's address in the global store, or null on a single host. */
    public String advertise() {
        return engine.advertise();
    }

    /** The names of the drivers this controller knows. */
    public List<String> driverNames() {
        return engine.driverNames();
    }

    /**
     * weft's address manager, for an IPAM front end that hands its pools and addresses to another
     * orchestrator (weftd's Docker IpamDriver), in address spaces of its own so that the reconciler,
     * which only sweeps weft's spaces, leaves them alone.
     */
    public DefaultIpam ipam() {
        return engine.ipam();
    }

    /**
     * Checks the firewall rules of every driver and installs again, from the records, what someone
     * else removed (weftd calls it when nftables reports a deletion). Idempotent. What was
     * missing, one line per damaged table; empty when nothing was (and nothing was changed).
     */
    public List<String> restoreFirewalls() {
        return engine.restoreFirewalls();
    }

    /** For this package's tests: the engine behind this controller. */
    Engine engine() {
        return engine;
    }

    /** Closes the controller's sockets; networks, endpoints and sandboxes stay as they are. */
    @Override
    public void close() {
        engine.close();
    }
}
