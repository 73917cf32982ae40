package dev.weft.engine.state;

import java.util.List;
import java.util.Map;

/**
 * A network as stored. Addresses are kept as text ("192.0.2.1/24") so the stored form is plain
 * JSON a person can read. {@code deleting} marks a delete in progress that a restart finishes.
 * {@code ipamDriver} names the IPAM plugin its pools come from (null: weft's own IPAM).
 * {@code hostObjects} is what the driver found on the host when the network was created and uses
 * without owning it (a user-managed bridge and the addresses it already had), so that deleting the
 * network, or a restart, never removes what weft did not make; records from before it read as empty.
 */
public record NetworkState(String id, String name, String driver, String scope, String created, boolean internal,
                           boolean enableIpv6, Map<String, String> options, Map<String, String> labels,
                           List<SubnetState> subnets, boolean deleting, String ipamDriver, Map<String, String> hostObjects) {
    public NetworkState {
        options = options == null ? Map.of() : Map.copyOf(options);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        subnets = subnets == null ? List.of() : List.copyOf(subnets);
        hostObjects = hostObjects == null ? Map.of() : Map.copyOf(hostObjects);
    }

    public NetworkState(String id, String name, String driver, String scope, String created, boolean internal,
                        boolean enableIpv6, Map<String, String> options, Map<String, String> labels,
                        List<SubnetState> subnets, boolean deleting, String ipamDriver) {
        this(id, name, driver, scope, created, internal, enableIpv6, options, labels, subnets, deleting, ipamDriver, null);
    }

    /** One subnet of the network: its IPAM pool, the gateway (with prefix length) and aux addresses. */
    public record SubnetState(String poolId, String subnet, String range, String gateway, Map<String, String> aux) {
        public SubnetState {
            aux = aux == null ? Map.of() : Map.copyOf(aux);
        }
    }

    public NetworkState(String id, String name, String driver, String scope, String created, boolean internal,
                        boolean enableIpv6, Map<String, String> options, Map<String, String> labels,
                        List<SubnetState> subnets, boolean deleting) {
        this(id, name, driver, scope, created, internal, enableIpv6, options, labels, subnets, deleting, null, null);
    }

    public NetworkState markDeleting() {
        return new NetworkState(id, name, driver, scope, created, internal, enableIpv6, options, labels, subnets, true,
                ipamDriver, hostObjects);
    }
}
