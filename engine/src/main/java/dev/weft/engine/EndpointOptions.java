package dev.weft.engine;

import dev.weft.linux.rtnl.MacAddress;

import java.net.InetAddress;
import java.util.List;

/** Optional wishes for a new endpoint: addresses, MAC, network-scoped DNS aliases. */
public record EndpointOptions(InetAddress ipv4, InetAddress ipv6, MacAddress mac, List<String> aliases) {
    public EndpointOptions {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    public static EndpointOptions none() {
        return new EndpointOptions(null, null, null, List.of());
    }
}
