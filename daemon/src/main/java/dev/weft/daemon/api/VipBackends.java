package dev.weft.daemon.api;

import dev.weft.engine.Endpoint;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.Network;
import dev.weft.engine.Sandbox;
import dev.weft.engine.WeftException;

import java.util.List;
import java.util.Optional;

/**
 * The backends of a virtual IP service SVC.NET: each a container's own endpoint on NET (named
 * after the container, as Docker's connect names it) marked as a backend of SVC. Adding one
 * joins the container to NET; removing one takes it off NET again.
 */
public final class VipBackends {
    private VipBackends() {
    }

    /** Joins {@code sb} to {@code vip}'s network as one of its backends; the new endpoint. */
    public static Endpoint add(Endpoint vip, Sandbox sb) {
        Network net = vip.network();
        String service = vip.name() + "." + net.name();
        if (sb.endpoints().stream().anyMatch(e -> e.network().id().equals(net.id()))) {
            throw new ApiException(409, "container " + sb.containerId() + " is already on network " + net.name()
                    + "; a backend of " + service + " joins the network through the service");
        }
        Endpoint ep;
        try {
            ep = net.createEndpoint(sb.containerId(), EndpointOptions.none().backendOf(vip.name()));
        } catch (WeftException e) {
            if (e.kind() == WeftException.Kind.CONFLICT) {
                throw new ApiException(409, "network " + net.name() + " already has an endpoint called " + sb.containerId());
            }
            throw e;
        }
        try {
            ep.join(sb);
        } catch (RuntimeException e) {
            ep.delete(); // all or nothing
            throw e;
        }
        return ep;
    }

    /** The endpoint by which {@code sb} backs {@code vip}, if it does. */
    public static Optional<Endpoint> of(Endpoint vip, Sandbox sb) {
        return vip.network().endpoints().stream()
                .filter(e -> vip.name().equals(e.state().service()) && sb.id().equals(e.state().sandboxId())).findFirst();
    }

    /** The names of the endpoints that back {@code vip} (joined or not). */
    public static List<String> names(Endpoint vip) {
        return vip.network().endpoints().stream().filter(e -> vip.name().equals(e.state().service()))
                .map(Endpoint::name).sorted().toList();
    }
}
