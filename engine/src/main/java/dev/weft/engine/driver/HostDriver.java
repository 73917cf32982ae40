package dev.weft.engine.driver;

import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Scope;
import dev.weft.engine.WeftException;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;

import java.util.List;

/**
 * The "host" driver: the sandbox shares the host's network namespace, so joining plumbs nothing;
 * a sandbox that joins a host network must have been created with the host's network.
 */
public final class HostDriver implements NetworkDriver {
    @Override
    public String name() {
        return "host";
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
            throw WeftException.invalid("the host driver takes no options, got: " + String.join(", ", config.options().keySet()));
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
        if (!sandbox.hostNetwork()) {
            throw WeftException.forbidden("sandbox " + sandbox.id() + " has its own network namespace; only a sandbox "
                    + "created with the host's network can join host network " + network.name());
        }
        return null;
    }

    @Override
    public void leave(NetworkState network, EndpointState endpoint, SandboxPort sandbox) {
    }

    @Override
    public void reconcile(List<NetworkState> networks, List<EndpointState> endpoints) {
    }
}
