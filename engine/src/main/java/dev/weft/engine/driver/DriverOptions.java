package dev.weft.engine.driver;

import dev.weft.engine.WeftException;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Docker's driver options that more than one driver reads, and the check for unknown ones. */
public final class DriverOptions {
    public static final String MTU = "com.docker.network.driver.mtu";
    /** Options the controller reads for every driver, and {@link HostSubnets#ALLOW}; every driver accepts them. */
    public static final Set<String> GENERIC = Set.of("com.docker.network.container_iface_prefix",
            "com.docker.network.enable_ipv6", "com.docker.network.enable_ipv4",
            "com.docker.network.internal", HostSubnets.ALLOW);

    private DriverOptions() {
    }

    /** Refuses options that are neither generic nor in {@code known}, naming the known ones. */
    public static void checkKnown(String driver, Map<String, String> options, Collection<String> known) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(known);
        unknown.removeAll(GENERIC);
        if (!unknown.isEmpty()) {
            throw WeftException.invalid("unknown " + driver + " driver option(s): " + String.join(", ", unknown)
                    + " (known: " + String.join(", ", new TreeSet<>(known)) + ")");
        }
    }

    /** The MTU option, 0 when absent; 68 to 65535 otherwise. */
    public static int mtu(Map<String, String> options) {
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
