package dev.weft.engine.internal;

import dev.weft.engine.WeftException;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.engine.state.SandboxState;

import java.util.concurrent.locks.ReentrantLock;

/**
 * What the operations share, and nothing more: the records, the one lock that serializes every
 * change, the drivers and IPAMs by name, and this host's address in the global store (null on a
 * single host). The operations get this instead of the controller, so nothing here calls back up.
 */
record Context(StateStore state, ReentrantLock lock, Drivers drivers, Ipams ipams, String self) {

    /** The network with this id, unless it is gone or being deleted. */
    NetworkState network(String id) {
        return state.network(id).filter(n -> !n.deleting())
                .orElseThrow(() -> WeftException.notFound("network " + id + " not found"));
    }

    /** Whether {@code ep}'s join, if any, is on this host. */
    boolean onThisHost(EndpointState ep) {
        return ep.host() == null || ep.host().equals(self);
    }

    SandboxState sandbox(String id) {
        return state.sandbox(id).orElseThrow(() -> WeftException.notFound("sandbox " + id + " not found"));
    }
}
