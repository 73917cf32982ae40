package dev.weft.engine.internal;

import dev.weft.engine.driver.SandboxPort;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState.SubnetState;
import dev.weft.engine.state.NetworkState;
import dev.weft.engine.state.SandboxState;
import dev.weft.linux.netns.Namespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.net.IpPrefix;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each sandbox's namespace handle and netlink socket, opened once and kept until the sandbox is
 * deleted, and what follows every join and leave: the sandbox's files and default routes.
 */
final class SandboxPorts {
    private final StateStore state;
    private final Namespaces namespaces;
    private final SandboxFiles files;
    private final Map<String, SandboxPort> ports = new ConcurrentHashMap<>();

    SandboxPorts(StateStore state, Namespaces namespaces, SandboxFiles files) {
        this.state = state;
        this.namespaces = namespaces;
        this.files = files;
    }

    /** Whether the sandbox's namespace belongs to another runtime (adopted, not made here). */
    boolean adopted(SandboxState sb) {
        if (sb.netnsPath() == null) {
            return false;
        }
        Path p = Path.of(sb.netnsPath());
        return !(p.getParent().equals(namespaces.runDir()) && p.getFileName().toString().equals(Ids.shortId(sb.id())));
    }

    /** Whether the sandbox's namespace is still there (an adopted one goes when its runtime removes it). */
    boolean namespaceExists(SandboxState sb) {
        if (sb.netnsPath() == null) {
            return true;
        }
        Path p = Path.of(sb.netnsPath());
        return adopted(sb) ? Files.exists(p) && (p.startsWith("/proc") || Namespaces.isNamespaceMount(p))
                : namespaces.isMounted(p.getFileName().toString());
    }

    /** The sandbox's namespace and socket, opened once and kept until the sandbox is deleted. */
    SandboxPort port(SandboxState sb) {
        if (sb.hostNetwork()) {
            return new SandboxPort(sb.id(), null, null);
        }
        SandboxPort cached = ports.get(sb.id());
        if (cached == null && adopted(sb) && !namespaceExists(sb)) {
            return new SandboxPort(sb.id(), null, null); // its runtime removed the namespace, and its links with it
        }
        return cached != null ? cached : open(sb.id(), Netns.open(Path.of(sb.netnsPath())));
    }

    SandboxPort open(String id, Netns ns) {
        try {
            SandboxPort port = new SandboxPort(id, ns, Rtnetlink.open(ns));
            ports.put(id, port);
            return port;
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    void close(String id) {
        SandboxPort port = ports.remove(id);
        if (port != null) {
            port.rtnetlink().close();
            port.netns().close();
        }
    }

    /** Closes every sandbox's socket and namespace handle (the namespaces themselves stay). */
    void closeAll() {
        List.copyOf(ports.keySet()).forEach(this::close);
    }

    /**
     * Rewrites the sandbox's hosts and resolv.conf for its joined endpoints, and points its default routes (IPv4 and IPv6) at the gateway of its highest-priority
     * joined endpoint on a network that is not internal (ties: network name), or removes them
     * when no such endpoint is left.
     */
    void refresh(SandboxState sb, SandboxPort port) {
        if (port.hostNetwork()) {
            return;
        }
        List<EndpointState> joined = state.joinedTo(sb.id());
        if (!adopted(sb)) {
            files.write(sb, joined);
        }
        Rtnetlink nl = port.rtnetlink();
        for (boolean v6 : new boolean[] {false, true}) {
            Optional<Route> desired = joined.stream()
                    .map(e -> gatewayRoute(nl, e, v6))
                    .flatMap(Optional::stream)
                    .max(Comparator.comparingInt(GatewayChoice::priority)
                            .thenComparing(GatewayChoice::network, Comparator.reverseOrder()))
                    .map(GatewayChoice::route);
            if (desired.isPresent()) {
                nl.routes().replace(desired.get());
            } else if (!joined.isEmpty() || v6) {
                nl.routes().list(Route.MAIN_TABLE).stream()
                        .filter(r -> r.isDefault() && r.destination().isIpv4() != v6)
                        .forEach(nl.routes()::deleteIfExists);
            }
        }
    }

    private record GatewayChoice(int priority, String network, Route route) {
    }

    private Optional<GatewayChoice> gatewayRoute(Rtnetlink nl, EndpointState e, boolean v6) {
        NetworkState n = state.network(e.networkId()).orElse(null);
        if (n == null || n.internal() || e.ifname() == null) {
            return Optional.empty();
        }
        for (SubnetState s : n.subnets()) {
            IpPrefix gw = s.gateway() == null ? null : IpPrefix.parse(s.gateway());
            if (gw != null && gw.isIpv4() != v6) {
                InetAddress via = gw.address();
                return nl.links().find(e.ifname()).map(link -> new GatewayChoice(e.gatewayPriority(), n.name(),
                        Route.defaultVia(via).withDevice(link.index())));
            }
        }
        return Optional.empty();
    }
}
