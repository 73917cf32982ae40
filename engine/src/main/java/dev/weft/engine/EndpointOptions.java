package dev.weft.engine;

import dev.weft.net.MacAddress;

import java.net.InetAddress;
import java.util.List;

/**
 * Optional wishes for a new endpoint: addresses, MAC, network-scoped DNS aliases, published ports,
 * and whether it will be joined on this host ({@code joinsHere}): then, on a network shared
 * through the global store, the endpoint is placed on this host from its creation, so the other
 * hosts can forward to it before the join (Docker makes a container's name resolvable on every
 * host as soon as its endpoint exists, before it joins).
 */
public record EndpointOptions(InetAddress ipv4, InetAddress ipv6, MacAddress mac, List<String> aliases,
                              List<PortBinding> ports, boolean joinsHere) {
    public EndpointOptions {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    public EndpointOptions(InetAddress ipv4, InetAddress ipv6, MacAddress mac, List<String> aliases,
                           List<PortBinding> ports) {
        this(ipv4, ipv6, mac, aliases, ports, false);
    }

    public EndpointOptions(InetAddress ipv4, InetAddress ipv6, MacAddress mac, List<String> aliases) {
        this(ipv4, ipv6, mac, aliases, List.of());
    }

    public static EndpointOptions none() {
        return new EndpointOptions(null, null, null, List.of(), List.of());
    }

    public static EndpointOptions publishing(List<PortBinding> ports) {
        return new EndpointOptions(null, null, null, List.of(), ports);
    }
}
