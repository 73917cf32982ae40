package dev.weft.engine;

import dev.weft.engine.internal.Engine;
import dev.weft.engine.state.EndpointState;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;

/** A handle on an endpoint: a network attachment that keeps its addresses while it exists. */
public final class Endpoint {
    private final Engine engine;
    private final String networkId;
    private final String id;

    Endpoint(Engine engine, String networkId, String id) {
        this.engine = engine;
        this.networkId = networkId;
        this.id = id;
    }

    public String id() {
        return id;
    }

    public EndpointState state() {
        return engine.endpoints().state(networkId, id);
    }

    public String name() {
        return state().name();
    }

    public Network network() {
        return new Network(engine, networkId);
    }

    /** The IPv4 address with its prefix length, or null. */
    public IpPrefix ipv4() {
        String s = state().ipv4();
        return s == null ? null : IpPrefix.parse(s);
    }

    /** The IPv6 address with its prefix length, or null. */
    public IpPrefix ipv6() {
        String s = state().ipv6();
        return s == null ? null : IpPrefix.parse(s);
    }

    public MacAddress mac() {
        String s = state().mac();
        return s == null ? null : MacAddress.parse(s);
    }

    /** Plumbs this endpoint into {@code sandbox}; the highest {@code priority} endpoint gives the default gateway. */
    public void join(Sandbox sandbox, int priority) {
        join(sandbox, priority, null);
    }

    /** As {@link #join(Sandbox, int)}, the interface inside the sandbox named {@code ifname} (a CNI runtime's CNI_IFNAME). */
    public void join(Sandbox sandbox, int priority, String ifname) {
        engine.observer().timedRun("endpoint_join",
                () -> engine.endpoints().join(networkId, id, sandbox.id(), priority, ifname));
    }

    public void join(Sandbox sandbox) {
        join(sandbox, 0);
    }

    /**
     * Joins this endpoint to {@code container}, a container another runtime owns (Docker, through
     * weft's plugin): its interface is left in the host namespace named {@code ifname}, unconfigured,
     * for that runtime to move into the container and give the endpoint's addresses. The bridge
     * and overlay drivers can do this. {@link #leaveAnywhere} undoes it.
     */
    public void handOff(String container, String ifname) {
        engine.observer().timedRun("endpoint_join", () -> engine.endpoints().handOff(networkId, id, container, ifname));
    }

    public void leave(Sandbox sandbox) {
        engine.observer().timedRun("endpoint_leave", () -> engine.endpoints().leave(networkId, id, sandbox.id()));
    }

    /**
     * Leaves whatever sandbox the endpoint is joined to: here, as {@link #leave} (or taking back a
     * {@linkplain #handOff handed-off} interface); on another host
     * (one that may be down), only in the records, and that host removes its interface when it
     * next reconciles. For a forced unpublish.
     */
    public void leaveAnywhere() {
        engine.observer().timedRun("endpoint_leave", () -> engine.endpoints().leaveAnywhere(networkId, id));
    }

    /** Deletes the endpoint and frees its addresses; refused while it is joined. */
    public void delete() {
        engine.observer().timedRun("endpoint_delete", () -> engine.endpoints().delete(networkId, id));
    }

    @Override
    public String toString() {
        return "endpoint " + id;
    }
}
