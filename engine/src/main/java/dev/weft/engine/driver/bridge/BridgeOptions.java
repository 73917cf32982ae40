package dev.weft.engine.driver.bridge;

import dev.weft.engine.WeftException;
import dev.weft.linux.rtnl.IpPrefix;

import java.net.InetAddress;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The bridge driver's options, parsed once from Docker's option names. */
record BridgeOptions(String bridgeName, boolean icc, boolean masquerade, InetAddress hostBinding, int mtu) {
    static final String NAME = "com.docker.network.bridge.name";
    static final String ICC = "com.docker.network.bridge.enable_icc";
    static final String MASQUERADE = "com.docker.network.bridge.enable_ip_masquerade";
    static final String HOST_BINDING = "com.docker.network.bridge.host_binding_ipv4";
    static final String MTU = "com.docker.network.driver.mtu";
    /** Options the controller reads for every driver; accepted here too. */
    private static final Set<String> GENERIC = Set.of("com.docker.network.container_iface_prefix",
            "com.docker.network.enable_ipv6", "com.docker.network.internal");

    static BridgeOptions parse(Map<String, String> options) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(Set.of(NAME, ICC, MASQUERADE, HOST_BINDING, MTU));
        unknown.removeAll(GENERIC);
        if (!unknown.isEmpty()) {
            throw WeftException.invalid("unknown bridge driver option(s): " + String.join(", ", unknown)
                    + " (known: " + NAME + ", " + ICC + ", " + MASQUERADE + ", " + HOST_BINDING + ", " + MTU + ")");
        }
        String name = options.get(NAME);
        if (name != null && (name.isEmpty() || name.length() > 15 || !name.matches("[a-zA-Z0-9_.-]+"))) {
            throw WeftException.invalid("invalid bridge name \"" + name + "\": 1 to 15 letters, digits, '_', '.' or '-'");
        }
        return new BridgeOptions(name, bool(options, ICC), bool(options, MASQUERADE), binding(options), mtu(options));
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

    private static int mtu(Map<String, String> options) {
        String v = options.get(MTU);
        if (v == null) {
            return 0;
        }
        try {
            int mtu = Integer.parseInt(v);
            if (mtu >= 68 && mtu <= 65535) {
                return mtu;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw WeftException.invalid("option " + MTU + " must be a number from 68 to 65535, not \"" + v + "\"");
    }
}
