package dev.weft.daemon.api;

import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.SandboxState;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Sandboxes: containers' network stacks. */
public final class Sandboxes {
    private final Controller controller;
    private final Runnable changed;
    private final UnaryOperator<String> containerNames;

    /**
     * {@code changed} runs after a sandbox is created or deleted (weftd starts or stops its DNS
     * server); {@code containerNames} turns a weft container's ID or ID prefix into its name, the
     * key of its sandbox, and leaves other keys as they are.
     */
    public Sandboxes(Controller controller, Runnable changed, UnaryOperator<String> containerNames) {
        this.controller = controller;
        this.changed = changed;
        this.containerNames = containerNames;
    }

    public SandboxResource create(SandboxCreate body) {
        if (body == null || body.containerId() == null || body.containerId().isBlank()) {
            throw new ApiException(400, "a sandbox needs a ContainerID");
        }
        if (body.hostname() != null && !body.hostname().isEmpty()) {
            Hostnames.check("Hostname", body.hostname());
        }
        if (body.domainname() != null && !body.domainname().isEmpty()) {
            Hostnames.check("Domainname", body.domainname());
        }
        Sandbox sb = controller.newSandbox(body.containerId(), new SandboxOptions(body.hostname(), body.domainname(),
                Boolean.TRUE.equals(body.hostNetwork()), body.dns()));
        changed.run();
        return resource(sb);
    }

    public List<SandboxResource> list() {
        List<SandboxResource> out = new ArrayList<>();
        for (Sandbox sb : controller.sandboxes()) {
            out.add(resource(sb));
        }
        return out;
    }

    public SandboxResource inspect(String key) {
        return resource(controller.sandbox(key));
    }

    /** Leaves and deletes the sandbox's endpoints, then the sandbox. */
    public void delete(String key) {
        Sandbox sb = controller.sandbox(key);
        for (Endpoint ep : sb.endpoints()) {
            ep.leave(sb);
            ep.delete();
        }
        sb.delete();
        changed.run();
    }

    private SandboxResource resource(Sandbox sb) {
        SandboxState s = sb.state();
        Map<String, NetworkResource.Attachment> nets = new LinkedHashMap<>();
        for (Endpoint e : sb.endpoints()) {
            EndpointState ep = e.state();
            nets.put(e.network().name(), new NetworkResource.Attachment(ep.name(), ep.id(), ep.mac(),
                    ep.ipv4() == null ? "" : ep.ipv4(), ep.ipv6() == null ? "" : ep.ipv6()));
        }
        return new SandboxResource(s.id(), s.containerId(), s.hostname(), s.netnsPath(), nets);
    }
}
