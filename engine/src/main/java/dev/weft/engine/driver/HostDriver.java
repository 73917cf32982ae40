package dev.weft.engine.driver;

import dev.weft.engine.WeftException;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;

/**
 * The "host" driver: the sandbox shares the host's network namespace, so joining plumbs nothing;
 * a sandbox that joins a host network must have been created with the host's network.
 */
public final class HostDriver extends PlumblessDriver {
    @Override
    public String name() {
        return "host";
    }

    @Override
    public String join(NetworkState network, EndpointState endpoint, SandboxPort sandbox, String ifname) {
        if (!sandbox.hostNetwork()) {
            throw WeftException.forbidden("sandbox " + sandbox.id() + " has its own network namespace; only a sandbox "
                    + "created with the host's network can join host network " + network.name());
        }
        return null;
    }
}
