package dev.weft.engine.driver;

import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Scope;
import dev.weft.engine.WeftException;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;

import java.util.List;

/** The "null" driver: a sandbox with only its loopback, as libnetwork's "none" network. */
public final class NullDriver implements NetworkDriver {
    @Override
    public String name() {
        return "null";
    }

    @Override
    public Scope scope() {
        return Scope.LOCAL;
    }

    @Override
    public boolean allocatesAddresses() {
        return false;
    }

    @Override
    public void validate(NetworkConfig config) {
        if (!config.options().isEmpty()) {
            throw WeftException.invalid("the null driver takes no options, got: " + String.join(", ", config.options().keySet()));
        }
    }

    @Override
    public void createNetwork(NetworkState network) {
    }

    @Override
    public void deleteNetwork(NetworkState network) {
    }

    @Override
    public String join(NetworkState network, EndpointState endpoint, SandboxPort sandbox, String ifname) {
        return null;
    }

    @Override
    public void leave(NetworkState network, EndpointState endpoint, SandboxPort sandbox) {
    }

    @Override
    public void reconcile(List<NetworkState> networks, List<EndpointState> endpoints) {
    }
}
