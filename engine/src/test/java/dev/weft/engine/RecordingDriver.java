package dev.weft.engine;

import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.driver.SandboxPort;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A driver for testing the controller's own logic (IPAM bookkeeping, rollback, records): it
 * touches no kernel object, records each call, and fails the call named in {@code failOn}.
 */
final class RecordingDriver implements NetworkDriver {
    final List<String> calls = new ArrayList<>();
    /** The last remote endpoints handed over, by network name (the global sync's thread writes it). */
    final Map<String, List<String>> remote = new ConcurrentHashMap<>();
    String failOn;
    Scope scope = Scope.LOCAL;

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public Scope scope() {
        return scope;
    }

    @Override
    public boolean allocatesAddresses() {
        return true;
    }

    @Override
    public void validate(NetworkConfig config) {
        record("validate " + config.name());
    }

    @Override
    public void createNetwork(NetworkState network) {
        record("createNetwork " + network.name());
    }

    @Override
    public void deleteNetwork(NetworkState network) {
        record("deleteNetwork " + network.name());
    }

    @Override
    public String join(NetworkState network, EndpointState endpoint, SandboxPort sandbox, String ifname) {
        record("join " + endpoint.name() + " " + ifname);
        return null;
    }

    @Override
    public void leave(NetworkState network, EndpointState endpoint, SandboxPort sandbox) {
        record("leave " + endpoint.name());
    }

    @Override
    public void remoteEndpoints(NetworkState network, List<EndpointState> endpoints) {
        remote.put(network.name(), endpoints.stream().map(EndpointState::name).sorted().toList());
    }

    @Override
    public void reconcile(List<NetworkState> networks, List<EndpointState> endpoints) {
        record("reconcile " + networks.size() + " " + endpoints.size());
    }

    private void record(String call) {
        calls.add(call);
        if (failOn != null && call.startsWith(failOn)) {
            throw WeftException.unavailable("injected failure in " + call, null);
        }
    }
}
