package dev.weft.engine.driver.bridge;

import dev.weft.engine.WeftException;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a bridge network reaches beyond its bridge, per address family (Docker's
 * {@code com.docker.network.bridge.gateway_mode_ipv4} and {@code _ipv6}).
 */
public enum GatewayMode {
    /** Masquerade; from outside the host only published ports are reachable on container addresses. */
    NAT("nat"),
    /** Masquerade, and no direct routing filter: every port is reachable on container addresses. */
    NAT_UNPROTECTED("nat-unprotected"),
    /** No masquerade, no host port mappings: published ports (and ICMP) are open on container addresses. */
    ROUTED("routed"),
    /** No address on the bridge and no way out: only the network's own containers reach each other. */
    ISOLATED("isolated");

    private final String option;

    GatewayMode(String option) {
        this.option = option;
    }

    /** The option's value as Docker spells it. */
    public String option() {
        return option;
    }

    /** Whether packets from outside the host to container addresses are filtered. */
    boolean filtersDirectRouting() {
        return this == NAT || this == ROUTED;
    }

    /** Whether traffic leaving the host from this family's subnets is masqueraded. */
    boolean masquerades() {
        return this == NAT || this == NAT_UNPROTECTED;
    }

    /** The mode option {@code key} names, NAT when absent; refuses anything else naming the allowed values. */
    static GatewayMode parse(String key, String value) {
        if (value == null) {
            return NAT;
        }
        for (GatewayMode m : values()) {
            if (m.option.equals(value)) {
                return m;
            }
        }
        throw WeftException.invalid("option " + key + " must be one of " + Arrays.stream(values()).map(GatewayMode::option)
                .collect(Collectors.joining(", ")) + ", not \"" + value + "\"");
    }
}
