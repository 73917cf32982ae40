package dev.weft.engine.driver.bridge;

import dev.weft.engine.driver.DriverOptions;
import dev.weft.engine.WeftException;
import dev.weft.net.IpPrefix;

import java.net.InetAddress;
import java.util.Map;
import java.util.List;

/** The bridge driver's options, parsed once from Docker's option names. */
record BridgeOptions(String bridgeName, boolean icc, boolean masquerade, InetAddress hostBinding, int mtu) {
    static final String NAME = "com.docker.network.bridge.name";
    static final String ICC = "com.docker.network.bridge.enable_icc";
    static final String MASQUERADE = "com.docker.network.bridge.enable_ip_masquerade";
    static final String HOST_BINDING = "com.docker.network.bridge.host_binding_ipv4";
    static final String MTU = DriverOptions.MTU;

    static BridgeOptions parse(Map<String, String> options) {
        DriverOptions.checkKnown("bridge", options, List.of(NAME, ICC, MASQUERADE, HOST_BINDING, MTU));
        String name = options.get(NAME);
        if (name != null && (name.isEmpty() || name.length() > 15 || !name.matches("[a-zA-Z0-9_.-]+"))) {
            throw WeftException.invalid("invalid bridge name \"" + name + "\": 1 to 15 letters, digits, '_', '.' or '-'");
        }
        return new BridgeOptions(name, bool(options, ICC), bool(options, MASQUERADE), binding(options), DriverOptions.mtu(options));
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
