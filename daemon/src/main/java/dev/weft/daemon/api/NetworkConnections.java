package dev.weft.daemon.api;

import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.Network;
import dev.weft.engine.Sandbox;
import dev.weft.engine.WeftException;
import dev.weft.net.IpPrefix;
import dev.weft.net.MacAddress;

import dev.weft.daemon.journal.Intent;
import dev.weft.daemon.journal.Journal;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** Docker's network connect and disconnect: a container's endpoint on a network, made and joined or left and removed. */
public final class NetworkConnections {
    private final Controller controller;
    private final UnaryOperator<String> containerNames;
    private final Journal journal;

    /** {@code containerNames} turns a weft container's ID or ID prefix into its name, the key of its sandbox. */
    public NetworkConnections(Controller controller, UnaryOperator<String> containerNames, Journal journal) {
        this.controller = controller;
        this.containerNames = containerNames;
        this.journal = journal;
    }

    /**
     * The journal's handlers: an interrupted connect whose endpoint joined is done, one whose
     * endpoint did not is undone (the endpoint goes); an interrupted disconnect or service
     * unpublish ({@link Services}) is finished.
     */
    public Map<String, Consumer<Intent>> recovery() {
        Consumer<Intent> finishRemoval = i -> endpoint(i.arg("network"), i.arg("endpoint")).ifPresent(NetworkConnections::remove);
        return Map.of("connect", i -> endpoint(i.arg("network"), i.arg("endpoint")).filter(e -> !e.state().joined())
                        .ifPresent(Endpoint::delete),
                "disconnect", finishRemoval, "unpublish", finishRemoval);
    }

    private Optional<Endpoint> endpoint(String network, String name) {
        try {
            return Optional.of(controller.network(network).endpoint(name));
        } catch (WeftException e) {
            if (e.kind() == WeftException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Leaves wherever it is joined (also a sandbox that is gone), then deletes the endpoint and its addresses. */
    private static void remove(Endpoint ep) {
        ep.leaveAnywhere();
        ep.delete();
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
        EndpointOptions options = new EndpointOptions(v4, v6, mac, aliases);
        journal.run(Intent.of("connect", "network", net.id(), "endpoint", endpointName(sb)), entry -> {
            Endpoint ep = net.createEndpoint(endpointName(sb), options);
            try {
                ep.join(sb);
            } catch (RuntimeException e) {
                ep.delete(); // a connect is all or nothing
                throw e;
            }
            return null;
        });
    }

    /**
     * Docker's disconnect: leave and delete the container's endpoint on the network. With Force,
     * an endpoint named after a container whose sandbox is gone (an orphan) goes too.
     */
    public void disconnect(String network, Connect body) {
        Network net = controller.network(network);
        Sandbox sb;
        try {
            sb = sandboxOf(body);
        } catch (ApiException e) {
            if (e.status() != 404 || !Boolean.TRUE.equals(body.force())) {
                throw e;
            }
            forceDisconnect(net, containerNames.apply(body.container()));
            return;
        }
        for (Endpoint ep : sb.endpoints()) {
            if (ep.network().id().equals(net.id())) {
                detach(net, ep);
                return;
            }
        }
        if (Boolean.TRUE.equals(body.force())) {
            forceDisconnect(net, endpointName(sb));
            return;
        }
        throw new ApiException(404, "container " + body.container() + " is not connected to network " + net.name());
    }

    private void forceDisconnect(Network net, String name) {
        Endpoint ep = endpoint(net.id(), name).orElseThrow(() -> new ApiException(404,
                "network " + net.name() + " has no endpoint " + name));
        String sandbox = ep.state().sandboxId();
        if (sandbox != null && !Networks.orphaned(controller, ep.state())) {
            throw new ApiException(409, "endpoint " + name + " is attached to sandbox " + sandbox
                    + ", which exists: disconnect its container instead");
        }
        detach(net, ep);
    }

    private void detach(Network net, Endpoint ep) {
        journal.run(Intent.of("disconnect", "network", net.id(), "endpoint", ep.name()), entry -> {
            remove(ep);
            return null;
        });
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
