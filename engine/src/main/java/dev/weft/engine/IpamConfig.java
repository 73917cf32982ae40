package dev.weft.engine;

import dev.weft.net.IpPrefix;

import java.net.InetAddress;
import java.util.Map;

/**
 * One subnet of a network as the user asks for it: all fields may be null (an automatic subnet,
 * the first address as gateway). {@code auxAddresses} are reserved and never handed to endpoints.
 */
public record IpamConfig(IpPrefix subnet, IpPrefix range, InetAddress gateway, Map<String, InetAddress> auxAddresses) {
    public IpamConfig {
        auxAddresses = auxAddresses == null ? Map.of() : Map.copyOf(auxAddresses);
    }

    public static IpamConfig automatic() {
        return new IpamConfig(null, null, null, Map.of());
    }

    public static IpamConfig subnet(String subnet) {
        return new IpamConfig(IpPrefix.parse(subnet), null, null, Map.of());
    }
}
