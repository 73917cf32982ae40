package dev.weft.engine;

import dev.weft.engine.driver.SandboxPort;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.engine.state.NetworkState.SubnetState;
import dev.weft.engine.state.SandboxState;
import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Namespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.IpPrefix;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Sandbox create, find and delete, and the sandbox's default routes. */
final class SandboxOps {
    private final Controller c;
    private final Map<String, SandboxPort> ports = new ConcurrentHashMap<>();

    SandboxOps(Controller c) {
        this.c = c;
    }

    Sandbox create(String containerId, SandboxOptions options) {
        if (containerId == null || containerId.isBlank()) {
            throw WeftException.invalid("a sandbox needs a container id");
        }
        for (String server : options.dnsServers()) {
            try {
                IpPrefix.parseAddress(server);
            } catch (IllegalArgumentException e) {
                throw WeftException.invalid("DNS server '" + server + "' is not an IP address");
            }
        }
        c.lock().lock();
        try (Undo undo = new Undo()) {
            if (c.state().sandboxes().stream().anyMatch(s -> s.containerId().equals(containerId))) {
                throw WeftException.conflict("container " + containerId + " already has a sandbox");
            }
            String id = Ids.newId();
            String path = null;
            if (options.netns() != null) {
                path = adopt(id, options.netns());
                undo.push("close the sockets of sandbox " + id, () -> close(id));
            } else if (!options.hostNetwork()) {
                String name = Ids.shortId(id);
                try {
                    Netns ns = c.sandboxNamespaces().create(name);
                    undo.push("delete namespace " + name, () -> c.sandboxNamespaces().delete(name));
                    SandboxPort port = open(id, ns);
                    undo.push("close the sockets of sandbox " + id, () -> close(id));
                    port.rtnetlink().links().setUp("lo");
                    path = ns.path().toString();
                } catch (KernelException e) {
                    throw Errors.of(e);
                }
            }
            SandboxState sb = new SandboxState(id, containerId, options.hostname(), options.domain(), path,
                    options.hostNetwork(), Instant.now().toString(), options.dnsServers());
            c.state().put(sb);
            undo.push("delete the record of sandbox " + id, () -> c.state().deleteSandbox(id));
            if (!options.hostNetwork() && options.netns() == null) { // another runtime writes its container's files
                undo.push("delete the files of sandbox " + id, () -> c.sandboxFiles().delete(id));
                c.sandboxFiles().write(sb, List.of());
            }
            undo.commit();
            return new Sandbox(c, id);
        } finally {
            c.lock().unlock();
        }
    }

    /** Opens the existing namespace at {@code path} for sandbox {@code id}; returns the path. */
    private String adopt(String id, Path path) {
        if (!path.isAbsolute() || !Files.exists(path)) {
            throw WeftException.invalid("network namespace " + path + " does not exist");
        }
        try {
            open(id, Netns.open(path)).rtnetlink().links().setUp("lo");
            return path.toString();
        } catch (KernelException e) {
            throw WeftException.invalid("cannot use " + path + " as a network namespace: " + e.getMessage());
        }
    }

    /** Whether the sandbox's namespace belongs to another runtime (adopted, not made here). */
    boolean adopted(SandboxState sb) {
        if (sb.netnsPath() == null) {
            return false;
        }
        Path p = Path.of(sb.netnsPath());
        return !(p.getParent().equals(c.sandboxNamespaces().runDir()) && p.getFileName().toString().equals(Ids.shortId(sb.id())));
    }

    /** Whether the sandbox's namespace is still there (an adopted one goes when its runtime removes it). */
    boolean namespaceExists(SandboxState sb) {
        if (sb.netnsPath() == null) {
            return true;
        }
        Path p = Path.of(sb.netnsPath());
        return adopted(sb) ? Files.exists(p) && (p.startsWith("/proc") || Namespaces.isNamespaceMount(p))
                : c.sandboxNamespaces().isMounted(p.getFileName().toString());
    }

    SandboxState state(String id) {
        return c.state().sandbox(id).orElseThrow(() -> WeftException.notFound("sandbox " + id + " not found"));
    }

    Sandbox find(String key) {
        List<SandboxState> all = c.state().sandboxes();
        Optional<SandboxState> exact = all.stream()
                .filter(s -> s.id().equals(key) || s.containerId().equals(key)).findFirst();
        List<SandboxState> match = exact.map(List::of)
                .orElseGet(() -> all.stream().filter(s -> !key.isEmpty() && s.id().startsWith(key)).toList());
        if (match.size() != 1) {
            throw match.isEmpty() ? WeftException.notFound("sandbox " + key + " not found")
                    : WeftException.invalid("sandbox id prefix " + key + " is ambiguous");
        }
        return new Sandbox(c, match.getFirst().id());
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

    private SandboxPort open(String id, Netns ns) {
        try {
            SandboxPort port = new SandboxPort(id, ns, Rtnetlink.open(ns));
            ports.put(id, port);
            return port;
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    private void close(String id) {
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

    void delete(String id) {
        c.lock().lock();
        try {
            SandboxState sb = state(id);
            for (EndpointState ep : c.state().joinedTo(id)) {
                c.endpointOps().leave(ep.networkId(), ep.id(), id);
            }
            close(id);
            if (sb.netnsPath() != null && !adopted(sb)) {
                c.sandboxNamespaces().delete(Path.of(sb.netnsPath()).getFileName().toString());
            }
            c.state().deleteSandbox(id);
            c.sandboxFiles().delete(id);
        } catch (KernelException e) {
            throw Errors.of(e);
        } finally {
            c.lock().unlock();
        }
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
        List<EndpointState> joined = c.state().joinedTo(sb.id());
        if (!adopted(sb)) {
            c.sandboxFiles().write(sb, joined);
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
        NetworkState n = c.state().network(e.networkId()).orElse(null);
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
