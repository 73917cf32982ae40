package dev.weft.daemon.api;

import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.Network;
import dev.weft.engine.Sandbox;
import dev.weft.engine.WeftException;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;

import java.net.InetAddress;
import java.util.List;
import java.util.function.UnaryOperator;

/** Docker's network connect and disconnect: a container's endpoint on a network, made and joined or left and removed. */
public final class NetworkConnections {
    private final Controller controller;
    private final UnaryOperator<String> containerNames;

    /** {@code containerNames} turns a weft container's ID or ID prefix into its name, the key of its sandbox. */
    public NetworkConnections(Controller controller, UnaryOperator<String> containerNames) {
        this.controller = controller;
        this.containerNames = containerNames;
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
}
