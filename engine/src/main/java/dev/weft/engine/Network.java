package dev.weft.engine;

import dev.weft.engine.state.NetworkState;

import java.util.List;

/** A handle on a network of a controller; every getter reads the current record. */
public final class Network {
    private final Controller controller;
    private final String id;

    Network(Controller controller, String id) {
        this.controller = controller;
        this.id = id;
    }

    public String id() {
        return id;
    }

    public NetworkState state() {
        return controller.networkState(id);
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
        return controller.endpointOps().create(id, name, options);
    }

    public Endpoint createEndpoint(String name) {
        return createEndpoint(name, EndpointOptions.none());
    }

    public List<Endpoint> endpoints() {
        return controller.endpointOps().list(id);
    }

    /** The endpoint called {@code nameOrId} (or with that id or unique id prefix). */
    public Endpoint endpoint(String nameOrId) {
        return controller.endpointOps().find(id, nameOrId);
    }

    /** Deletes the network; refused while it has endpoints. */
    public void delete() {
        controller.networkOps().delete(id);
    }

    @Override
    public String toString() {
        return "network " + id;
    }
}
