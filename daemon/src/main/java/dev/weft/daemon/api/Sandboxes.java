package dev.weft.daemon.api;

import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.Network;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.WeftException;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.SandboxState;
import dev.weft.linux.rtnl.IpPrefix;
import dev.weft.linux.rtnl.MacAddress;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.Map;

/** Sandboxes (containers' network stacks) and connecting them to networks. */
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

    /** Docker's connect: an endpoint named after the container, joined to its sandbox. */
    public void connect(String network, Connect body) {
        Sandbox sb = sandboxOf(body);
        Network net = controller.network(network);
        Connect.EndpointConfig cfg = body.endpointConfig();
        InetAddress v4 = cfg == null || cfg.ipamConfig() == null ? null : address("IPv4Address", cfg.ipamConfig().ipv4Address());
        InetAddress v6 = cfg == null || cfg.ipamConfig() == null ? null : address("IPv6Address", cfg.ipamConfig().ipv6Address());
        MacAddress mac = null;
        if (cfg != null && cfg.macAddress() != null && !cfg.macAddress().isBlank()) {
            try {
                mac = MacAddress.parse(cfg.macAddress());
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "MacAddress: " + e.getMessage());
            }
        }
        List<String> aliases = cfg == null || cfg.aliases() == null ? List.of() : cfg.aliases();
        Endpoint ep = net.createEndpoint(endpointName(sb), new EndpointOptions(v4, v6, mac, aliases));
        try {
            ep.join(sb);
        } catch (RuntimeException e) {
            ep.delete(); // a connect is all or nothing
            throw e;
        }
    }

    /** Docker's disconnect: leave and delete the container's endpoint on the network. */
    public void disconnect(String network, Connect body) {
        Sandbox sb = sandboxOf(body);
        Network net = controller.network(network);
        for (Endpoint ep : sb.endpoints()) {
            if (ep.network().id().equals(net.id())) {
                ep.leave(sb);
                ep.delete();
                return;
            }
        }
        throw new ApiException(404, "container " + body.container() + " is not connected to network " + net.name());
    }

    private Sandbox sandboxOf(Connect body) {
        return container(controller, containerNames, body);
    }

    /** The sandbox of the request's Container: 400 when none is named, 404 when there is no such container. */
    static Sandbox container(Controller controller, UnaryOperator<String> containerNames, Connect body) {
        if (body == null || body.container() == null || body.container().isBlank()) {
            throw new ApiException(400, "the request needs a Container");
        }
        try {
            return controller.sandbox(containerNames.apply(body.container()));
        } catch (WeftException e) {
            if (e.kind() == WeftException.Kind.NOT_FOUND) {
                throw new ApiException(404, "no such container: " + body.container());
            }
            throw e;
        }
    }

    /** Endpoints are named after their container, which is unique among sandboxes. */
    private static String endpointName(Sandbox sb) {
        return sb.containerId();
    }

    private static InetAddress address(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return IpPrefix.parseAddress(text);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, field + ": " + e.getMessage());
        }
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

    /** Deletes every network without endpoints; returns their names. */
    public List<String> prune() {
        List<String> deleted = new ArrayList<>();
        for (Network n : controller.networks()) {
            if (n.endpoints().isEmpty()) {
                try {
                    String name = n.name();
                    n.delete();
                    deleted.add(name);
                } catch (WeftException e) {
                    if (e.kind() != WeftException.Kind.CONFLICT) {
                        throw e;
                    }
                }
            }
        }
        return deleted;
    }
}
