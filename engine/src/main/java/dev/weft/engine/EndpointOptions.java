package dev.weft.engine;

import dev.weft.net.MacAddress;

import java.net.InetAddress;
import java.util.List;

/**
 * Optional wishes for a new endpoint: addresses, MAC, network-scoped DNS aliases, published ports,
 * and whether it will be joined on this host ({@code joinsHere}): then, on a network shared
 * through the global store, the endpoint is placed on this host from its creation, so the other
 * hosts can forward to it before the join (Docker makes a container's name resolvable on every
 * host as soon as its endpoint exists, before it joins). {@code vip}: the endpoint is a service's
 * virtual IP (never joined; new connections to its address are balanced across its backends);
 * {@code service}: the endpoint is a backend of the virtual IP endpoint of that name.
 */
public record EndpointOptions(InetAddress ipv4, InetAddress ipv6, MacAddress mac, List<String> aliases,
                              List<PortBinding> ports, boolean joinsHere, String service, boolean vip) {
    public EndpointOptions {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
        if (vip && (service != null || !ports.isEmpty())) {
            throw new IllegalArgumentException("a virtual IP is no backend and publishes no ports");
        }
    }

    public EndpointOptions(InetAddress ipv4, InetAddress ipv6, MacAddress mac, List<String> aliases,
                           List<PortBinding> ports, boolean joinsHere) {
        this(ipv4, ipv6, mac, aliases, ports, joinsHere, null, false);
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

    /** These options for a service's virtual IP. */
    public EndpointOptions asVirtualIp() {
        return new EndpointOptions(ipv4, ipv6, mac, aliases, ports, joinsHere, null, true);
    }

    /** These options for a backend of the virtual IP endpoint called {@code vipName}. */
    public EndpointOptions backendOf(String vipName) {
        return new EndpointOptions(ipv4, ipv6, mac, aliases, ports, joinsHere, vipName, false);
    }
}
