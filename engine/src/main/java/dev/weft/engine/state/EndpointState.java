package dev.weft.engine.state;

import java.util.List;

/**
 * An endpoint as stored: its addresses for as long as it exists, its published ports (in the
 * text form of {@code PortBinding}, such as "127.0.0.1:8080:80/tcp"), and while joined the
 * sandbox and its container, the interface name inside it, the host side of its link (for
 * drivers that have one) and, on networks shared through a global store, the host it is joined
 * on (that host's advertise address: where other hosts send its traffic, its VTEP for the
 * overlay), so that every host can name and reach it. An endpoint created to be joined on its
 * host ({@code EndpointOptions.joinsHere}) has that host from its creation.
 * <p>
 * Service virtual IPs: an endpoint with {@code vip} is a service's virtual IP (an address held
 * in IPAM, never joined); an endpoint with {@code service} is a backend of the virtual IP
 * endpoint of that name on the same network.
 */
public record EndpointState(String id, String name, String networkId, String mac, String ipv4, String ipv6,
                            List<String> aliases, List<String> ports, String sandboxId, String ifname,
                            String hostIfname, int gatewayPriority, String host, String container,
                            String service, boolean vip) {
    public EndpointState {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /** An endpoint that is neither a virtual IP nor one of its backends. */
    public EndpointState(String id, String name, String networkId, String mac, String ipv4, String ipv6,
                         List<String> aliases, List<String> ports, String sandboxId, String ifname,
                         String hostIfname, int gatewayPriority, String host, String container) {
        this(id, name, networkId, mac, ipv4, ipv6, aliases, ports, sandboxId, ifname, hostIfname, gatewayPriority, host,
                container, null, false);
    }

    public boolean joined() {
        return sandboxId != null;
    }

    public EndpointState joinedTo(String sandbox, String containerId, String inside, String hostSide, int priority,
                                  String onHost) {
        return new EndpointState(id, name, networkId, mac, ipv4, ipv6, aliases, ports, sandbox, inside, hostSide, priority,
                onHost, containerId, service, vip);
    }

    public EndpointState left() {
        return new EndpointState(id, name, networkId, mac, ipv4, ipv6, aliases, ports, null, null, null, 0, null, null, service, vip);
    }
}
