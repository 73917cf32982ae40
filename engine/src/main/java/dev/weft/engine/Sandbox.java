package dev.weft.engine;

import dev.weft.engine.internal.Engine;
import dev.weft.engine.state.SandboxState;

import java.nio.file.Path;
import java.util.List;

/** A handle on a sandbox: a container's network stack (a network namespace, or the host's). */
public final class Sandbox {
    private final Engine engine;
    private final String id;

    Sandbox(Engine engine, String id) {
        this.engine = engine;
        this.id = id;
    }

    public String id() {
        return id;
    }

    public SandboxState state() {
        return engine.sandboxes().state(id);
    }

    public String containerId() {
        return state().containerId();
    }

    /** The bind-mounted network namespace (the sandbox key), or null for a host-network sandbox. */
    public Path netnsPath() {
        String p = state().netnsPath();
        return p == null ? null : Path.of(p);
    }

    /** Whether the sandbox is in another runtime's namespace ({@link SandboxOptions#inNamespace}), not one weft made. */
    public boolean adopted() {
        return engine.sandboxes().adopted(state());
    }

    /** The endpoints joined to this sandbox. */
    public List<Endpoint> endpoints() {
        return engine.endpoints().joinedTo(id).stream().map(e -> new Endpoint(engine, e.networkId(), e.id())).toList();
    }

    /** Leaves every joined endpoint and removes the namespace. */
    public void delete() {
        engine.observer().timedRun("sandbox_delete", () -> engine.sandboxes().delete(id));
    }

    @Override
    public String toString() {
        return "sandbox " + id;
    }
}
