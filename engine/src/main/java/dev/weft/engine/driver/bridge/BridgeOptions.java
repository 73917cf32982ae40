package dev.weft.engine.driver.bridge;

import dev.weft.engine.driver.DriverOptions;
import dev.weft.engine.WeftException;
import dev.weft.net.IpPrefix;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Map;
import java.util.List;

/** The bridge driver's options, parsed once from Docker's option names. */
record BridgeOptions(String bridgeName, boolean icc, boolean masquerade, InetAddress hostBinding, int mtu,
                     GatewayMode gatewayMode4, GatewayMode gatewayMode6, List<String> trustedInterfaces) {
    static final String NAME = "com.docker.network.bridge.name";
    static final String ICC = "com.docker.network.bridge.enable_icc";
    static final String MASQUERADE = "com.docker.network.bridge.enable_ip_masquerade";
    static final String HOST_BINDING = "com.docker.network.bridge.host_binding_ipv4";
    static final String MTU = DriverOptions.MTU;
    static final String GATEWAY_MODE_IPV4 = "com.docker.network.bridge.gateway_mode_ipv4";
    static final String GATEWAY_MODE_IPV6 = "com.docker.network.bridge.gateway_mode_ipv6";
    static final String TRUSTED_INTERFACES = "com.docker.network.bridge.trusted_host_interfaces";
    private static final String IFNAME = "[a-zA-Z0-9_.-]{1,15}";

    static BridgeOptions parse(Map<String, String> options) {
        DriverOptions.checkKnown("bridge", options, List.of(NAME, ICC, MASQUERADE, HOST_BINDING, MTU,
                GATEWAY_MODE_IPV4, GATEWAY_MODE_IPV6, TRUSTED_INTERFACES));
        String name = options.get(NAME);
        if (name != null && !name.matches(IFNAME)) {
            throw WeftException.invalid("invalid bridge name \"" + name + "\": 1 to 15 letters, digits, '_', '.' or '-'");
        }
        return new BridgeOptions(name, bool(options, ICC), bool(options, MASQUERADE), binding(options), DriverOptions.mtu(options),
                GatewayMode.parse(GATEWAY_MODE_IPV4, options.get(GATEWAY_MODE_IPV4)),
                GatewayMode.parse(GATEWAY_MODE_IPV6, options.get(GATEWAY_MODE_IPV6)), trusted(options));
    }

    /** The gateway mode of the family of {@code address}. */
    GatewayMode gatewayMode(InetAddress address) {
        return address instanceof Inet6Address ? gatewayMode6 : gatewayMode4;
    }

    /** Docker's colon-separated interface names ("eth1:vxlan.1"). */
    private static List<String> trusted(Map<String, String> options) {
        String v = options.get(TRUSTED_INTERFACES);
        if (v == null || v.isEmpty()) {
            return List.of();
        }
        List<String> names = List.of(v.split(":", -1));
        for (String n : names) {
            if (!n.matches(IFNAME)) {
                throw WeftException.invalid("option " + TRUSTED_INTERFACES + ": invalid interface name \"" + n
                        + "\" in \"" + v + "\" (colon-separated names of 1 to 15 letters, digits, '_', '.' or '-')");
            }
        }
        return names;
    }

    private static boolean bool(Map<String, String> options, String key) {
        String v = options.get(key);
        if (v == null) {
            return true;
        }
        return switch (v.toLowerCase()) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw WeftException.invalid("option " + key + " must be true or false, not \"" + v + "\"");
        };
    }

    private static InetAddress binding(Map<String, String> options) {
        String v = options.get(HOST_BINDING);
        try {
            return v == null ? null : IpPrefix.parseAddress(v);
        } catch (IllegalArgumentException e) {
            throw WeftException.invalid("option " + HOST_BINDING + ": " + e.getMessage());
        }
    }
}
