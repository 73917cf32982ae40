package dev.weft.engine.driver;

import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Scope;
import dev.weft.engine.WeftException;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;

import java.util.List;

/** A local driver that takes no options and plumbs nothing: the base of the null and host drivers. */
abstract class PlumblessDriver implements NetworkDriver {
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
            throw WeftException.invalid("the " + name() + " driver takes no options, got: "
                    + String.join(", ", config.options().keySet()));
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
