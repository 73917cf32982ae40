package dev.weft.engine;

import dev.weft.engine.internal.Engine;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;

import java.util.List;

/** A handle on a network of a controller; every getter reads the current record. */
public final class Network {
    private final Engine engine;
    private final String id;

    Network(Engine engine, String id) {
        this.engine = engine;
        this.id = id;
    }

    public String id() {
        return id;
    }

    public NetworkState state() {
        return engine.network(id);
    }

    public String name() {
        return state().name();
    }

    public String driver() {
        return state().driver();
    }

    public Scope scope() {
        return Scope.valueOf(state().scope().toUpperCase());
    }

    public Endpoint createEndpoint(String name, EndpointOptions options) {
        return new Endpoint(engine, id, engine.observer().timed("endpoint_create",
                () -> engine.endpoints().create(id, name, options)));
    }

    public Endpoint createEndpoint(String name) {
        return createEndpoint(name, EndpointOptions.none());
    }

    public List<Endpoint> endpoints() {
        return engine.endpoints().list(id).stream().map(e -> new Endpoint(engine, id, e.id())).toList();
    }

    /**
     * Every endpoint's state, read at once: on a global network another host may remove an endpoint
     * between {@link #endpoints()} and that endpoint's {@link Endpoint#state()}, which then fails.
     */
    public List<EndpointState> endpointStates() {
        return engine.endpoints().list(id);
    }

    /**
     * Whether this host follows the network's endpoints: always for a local network; for a global
     * one once this host takes part in it (an endpoint of it joined or written here). The endpoints
     * of a global network it does not follow are read from the store each time they are asked for.
     */
    public boolean followed() {
        return engine.state().follows(id);
    }

    /** The endpoint called {@code nameOrId} (or with that id or unique id prefix). */
    public Endpoint endpoint(String nameOrId) {
        return new Endpoint(engine, id, engine.endpoints().find(id, nameOrId));
    }

    /** Deletes the network; refused while it has endpoints. */
    public void delete() {
        engine.observer().timedRun("network_delete", () -> engine.networks().delete(id));
    }

    @Override
    public String toString() {
        return "network " + id;
    }
}
