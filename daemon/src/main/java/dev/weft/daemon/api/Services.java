package dev.weft.daemon.api;

import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.Network;
import dev.weft.engine.Sandbox;
import dev.weft.engine.WeftException;
import dev.weft.engine.state.EndpointState;
import dev.weft.net.IpPrefix;

import dev.weft.daemon.journal.Intent;
import dev.weft.daemon.journal.Journal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Services as in libnetwork's quick start: SVC.NET is an endpoint called SVC on network NET,
 * published on its own and attached to (at most) one container later; the embedded DNS answers
 * SVC and SVC.NET for the containers of NET. A service published as a virtual IP is an endpoint
 * that is never joined: containers attach to it as its backends (see {@link VipBackends}), any
 * number of them, and new connections to its address are balanced across them.
 */
public final class Services {
    private final Controller controller;
    private final UnaryOperator<String> containerNames;
    private final Journal journal;

    /**
     * {@code containerNames}: as for {@link Sandboxes}, a weft container's ID or prefix to its name.
     * Publish, attach and detach are one engine step each, atomic in the engine; a forced
     * unpublish (detach, then delete) is recorded in {@code journal} and finished after a crash.
     */
    public Services(Controller controller, UnaryOperator<String> containerNames, Journal journal) {
        this.controller = controller;
        this.containerNames = containerNames;
        this.journal = journal;
    }

    /** "svc1.dev" -> {"svc1", "dev"}: the service name has no dot, the network name is the rest. */
    static String[] split(String service) {
        int dot = service == null ? -1 : service.indexOf('.');
        if (dot <= 0 || dot == service.length() - 1) {
            throw new ApiException(400, "invalid service \"" + service + "\": expected SERVICE.NETWORK, like svc1.dev");
        }
        return new String[] {service.substring(0, dot), service.substring(dot + 1)};
    }

    public ServiceResource publish(ServicePublish body) {
        if (body == null || body.name() == null || body.name().isBlank() || body.network() == null || body.network().isBlank()) {
            throw new ApiException(400, "a service needs a Name and a Network");
        }
        if (body.name().contains(".")) {
            throw new ApiException(400, "invalid service name \"" + body.name() + "\": no dots (SERVICE.NETWORK names it)");
        }
        Network network = controller.network(body.network());
        InetAddress ipv4;
        try {
            ipv4 = body.ipv4() == null ? null : IpPrefix.parseAddress(body.ipv4());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "IPv4Address: " + e.getMessage());
        }
        try {
            EndpointOptions options = new EndpointOptions(ipv4, null, null, body.aliases());
            Endpoint ep = network.createEndpoint(body.name(), body.vip() ? options.asVirtualIp() : options);
            return resource(ep);
        } catch (WeftException e) {
            if (e.kind() == WeftException.Kind.CONFLICT && e.getMessage().startsWith("endpoint ")) {
                throw new ApiException(409, "service " + body.name() + "." + network.name() + " is already published");
            }
            throw e;
        }
    }

    public ServiceResource info(String service) {
        return resource(endpoint(service));
    }

    /** Every service (endpoint) of every network, or of {@code network} only. */
    public List<ServiceResource> list(String network) {
        List<ServiceResource> out = new ArrayList<>();
        for (Network n : network == null ? controller.networks() : List.of(controller.network(network))) {
            for (Endpoint e : n.endpoints()) {
                out.add(resource(e));
            }
        }
        return out;
    }

    /** Removes the service; refused while attached unless {@code force}, which detaches it first. */
    public void unpublish(String service, boolean force) {
        Endpoint ep = endpoint(service);
        String sandbox = ep.state().sandboxId();
        if (sandbox != null) { // a virtual IP never is: its backends stay on the network as they are
            if (!force) {
                throw new ApiException(409, "service " + service + " is attached to container "
                        + ep.state().container() + "; detach it first or use force");
            }
        }
        journal.run(Intent.of("unpublish", "network", ep.network().id(), "endpoint", ep.name()), entry -> {
            ep.leaveAnywhere();
            ep.delete();
            return null;
        });
    }

    public void attach(String service, Connect body) {
        Endpoint ep = endpoint(service);
        Sandbox sb = container(body);
        if (ep.state().vip()) {
            VipBackends.add(ep, sb);
            return;
        }
        String current = ep.state().sandboxId();
        if (current != null) {
            throw new ApiException(409, "service " + service + " is already attached to container "
                    + ep.state().container());
        }
        ep.join(sb);
    }

    public void detach(String service, Connect body) {
        Endpoint ep = endpoint(service);
        Sandbox sb = container(body);
        if (ep.state().vip()) {
            Endpoint backend = VipBackends.of(ep, sb).orElseThrow(() -> new ApiException(409, "container "
                    + body.container() + " is no backend of service " + service));
            backend.leave(sb);
            backend.delete();
            return;
        }
        if (!sb.id().equals(ep.state().sandboxId())) {
            throw new ApiException(409, "service " + service + " is not attached to container " + body.container());
        }
        ep.leave(sb);
    }

    private Endpoint endpoint(String service) {
        String[] parts = split(service);
        Network network = controller.network(parts[1]);
        try {
            return network.endpoint(parts[0]);
        } catch (WeftException e) {
            if (e.kind() == WeftException.Kind.NOT_FOUND) {
                throw new ApiException(404, "no service " + service);
            }
            throw e;
        }
    }

    private Sandbox container(Connect body) {
        return NetworkConnections.container(controller, containerNames, body);
    }

    private ServiceResource resource(Endpoint e) {
        EndpointState ep = e.state();
        String container = ep.container();
        return new ServiceResource(ep.name(), e.network().name(), ep.id(), container, ep.ipv4(), ep.ipv6(), ep.mac(),
                ep.aliases(), ep.vip(), ep.vip() ? VipBackends.names(e) : List.of());
    }
}
