package dev.weft.engine;

import java.util.List;
import java.util.Map;

/**
 * What a user asks for when creating a network. {@code options} are the driver's options as
 * Docker spells them (com.docker.network.bridge.name=br0, parent=eth0, ...); each driver parses
 * them once into its own typed record. {@code labels} are the user's own and are kept as given.
 */
public record NetworkConfig(String name, String driver, List<IpamConfig> ipv4, List<IpamConfig> ipv6, boolean enableIpv6,
                            boolean internal, Map<String, String> options, Map<String, String> labels,
                            String ipamDriver) {
    public static final String ENABLE_IPV6 = "com.docker.network.enable_ipv6";
    public static final String INTERNAL = "com.docker.network.internal";
    /** Docker's option (and API field EnableIPv4): "false" makes a network without IPv4 (IPv6-only). */
    public static final String ENABLE_IPV4 = "com.docker.network.enable_ipv4";

    public NetworkConfig {
        ipv4 = ipv4 == null ? List.of() : List.copyOf(ipv4);
        ipv6 = ipv6 == null ? List.of() : List.copyOf(ipv6);
        options = options == null ? Map.of() : Map.copyOf(options);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        enableIpv6 = enableIpv6 || "true".equalsIgnoreCase(options.get(ENABLE_IPV6));
        internal = internal || "true".equalsIgnoreCase(options.get(INTERNAL));
    }

    public NetworkConfig(String name, String driver, List<IpamConfig> ipv4, List<IpamConfig> ipv6, boolean enableIpv6,
                         boolean internal, Map<String, String> options, Map<String, String> labels) {
        this(name, driver, ipv4, ipv6, enableIpv6, internal, options, labels, null);
    }

    /** False when option {@link #ENABLE_IPV4} is "false": the network has no IPv4 subnet at all. */
    public boolean enableIpv4() {
        return enableIpv4(options);
    }

    /** Whether {@code options} leave IPv4 on (anything but enable_ipv4=false). */
    public static boolean enableIpv4(Map<String, String> options) {
        String v = options.get(ENABLE_IPV4);
        if (v == null || v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw WeftException.invalid("option " + ENABLE_IPV4 + " must be true or false, not \"" + v + "\"");
    }

    /** The network's addresses come from IPAM plugin {@code plugin} (null or "default": weft's own). */
    public NetworkConfig withIpamDriver(String plugin) {
        return new NetworkConfig(name, driver, ipv4, ipv6, enableIpv6, internal, options, labels,
                plugin == null || plugin.isEmpty() || plugin.equals("default") ? null : plugin);
    }

    /** A network with an automatic IPv4 subnet and no options. */
    public static NetworkConfig of(String name, String driver) {
        return new NetworkConfig(name, driver, List.of(), List.of(), false, false, Map.of(), Map.of(), null);
    }

    public NetworkConfig withIpv4(IpamConfig... configs) {
        return new NetworkConfig(name, driver, List.of(configs), ipv6, enableIpv6, internal, options, labels, ipamDriver);
    }

    public NetworkConfig withIpv6(IpamConfig... configs) {
        return new NetworkConfig(name, driver, ipv4, List.of(configs), true, internal, options, labels, ipamDriver);
    }

    public NetworkConfig withOptions(Map<String, String> opts) {
        return new NetworkConfig(name, driver, ipv4, ipv6, enableIpv6, internal, opts, labels, ipamDriver);
    }

    public NetworkConfig withLabels(Map<String, String> l) {
        return new NetworkConfig(name, driver, ipv4, ipv6, enableIpv6, internal, options, l, ipamDriver);
    }

    public NetworkConfig asInternal() {
        return new NetworkConfig(name, driver, ipv4, ipv6, enableIpv6, true, options, labels, ipamDriver);
    }
}
