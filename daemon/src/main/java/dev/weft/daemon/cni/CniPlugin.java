package dev.weft.daemon.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.Undo;
import dev.weft.engine.WeftException;
import dev.weft.engine.ipam.Subnets;
import dev.weft.net.IpPrefix;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CNI verbs on weft's engine. Each attachment (CNI_CONTAINERID, CNI_IFNAME) is a sandbox of its
 * own, keyed {@code cni:ID:IFNAME}, that adopts the runtime's namespace (CNI_NETNS) instead of
 * making one, and an endpoint {@code cni.ID.IFNAME} on the configuration's network joined to it
 * under CNI_IFNAME: the driver creates the container's end of the link directly inside that
 * namespace, as for weft's own containers. Both are in weft's store, so a restarted weftd still
 * finds them for DEL, CHECK and GC. Calls are served one at a time.
 */
public final class CniPlugin {
    private static final String LABEL = "dev.weft.cni";
    private final Controller controller;
    private final Runnable changed;

    /**
     * {@code changed} runs after sandboxes went (weftd's embedded DNS stops the servers another API
     * call may have started in them, which would hold their namespaces open). ADD does not start
     * one: the runtime owns the container's resolv.conf.
     */
    public CniPlugin(Controller controller, Runnable changed) {
        this.controller = controller;
        this.changed = changed;
    }

    /** Serves one call; returns what the plugin prints on stdout (empty for DEL, GC and STATUS). */
    synchronized String handle(CniRequest req) {
        if (req.command().equals("VERSION")) {
            return version(req);
        }
        CniConfig cfg = CniConfig.parse(req.stdin(), req.command());
        return switch (req.command()) {
            case "ADD" -> add(req, cfg).toString();
            case "DEL" -> {
                del(req, cfg);
                yield "";
            }
            case "CHECK" -> {
                CniCheck.check(controller, req, cfg);
                if (cfg.ipamType() != null) {
                    DelegatedIpam.run("CHECK", req, cfg);
                }
                yield "";
            }
            case "GC" -> {
                gc(req, cfg);
                yield "";
            }
            case "STATUS" -> {
                if (cfg.ipamType() != null) {
                    forwardTolerant("STATUS", req, cfg);
                }
                yield "";
            }
            default -> throw CniError.environment("unknown CNI_COMMAND: " + req.command());
        };
    }

    private static String version(CniRequest req) {
        String v = "1.1.0";
        try {
            JsonNode n = CniConfig.JSON.readTree(req.stdin());
            if (n != null && n.path("cniVersion").isTextual()) {
                v = n.get("cniVersion").asText();
            }
        } catch (java.io.IOException e) {
            throw new CniError(CniError.DECODING_FAILURE, "failed to decode the version request", e.getMessage());
        }
        ObjectNode r = CniConfig.JSON.createObjectNode().put("cniVersion", v);
        CniVersion.SUPPORTED.forEach(r.putArray("supportedVersions")::add);
        return r.toString();
    }

    private ObjectNode add(CniRequest req, CniConfig cfg) {
        Path netns = Path.of(req.netns());
        if (!netns.isAbsolute() || !Files.exists(netns)) {
            throw CniError.environment("CNI_NETNS " + netns + " does not exist");
        }
        try (Undo undo = new Undo()) {
            ObjectNode delegated = null;
            if (cfg.ipamType() != null) {
                delegated = DelegatedIpam.run("ADD", req, cfg);
                undo.push("release the delegated addresses", () -> DelegatedIpam.run("DEL", req, cfg));
            }
            boolean existed = find(cfg.network()) != null;
            Network net = network(cfg, delegated);
            if (!existed) {
                undo.push("delete network " + net.name(), net::delete); // a failed ADD changes nothing
            }
            CniWishes wishes = CniWishes.of(req, cfg, delegated);
            Sandbox sb = controller.newSandbox(req.attachment(), new SandboxOptions(null, null, false, List.of()).inNamespace(netns));
            undo.push("delete the sandbox of " + req.attachment(), sb::delete);
            Endpoint ep = net.createEndpoint(req.endpointName(), new EndpointOptions(wishes.ipv4(), wishes.ipv6(),
                    wishes.mac(), List.of(), wishes.ports(), true));
            undo.push("delete endpoint " + ep.name(), () -> {
                ep.leaveAnywhere();
                ep.delete();
            });
            ep.join(sb, 0, req.ifname());
            ObjectNode result = CniResult.of(cfg, req.netns(), ep.state(), net.state(), delegated);
            undo.commit();
            return result;
        }
    }

    /** The configuration's network, created on first use (from the delegate's first addresses when IPAM is delegated). */
    private Network network(CniConfig cfg, ObjectNode delegated) {
        Network existing = find(cfg.network());
        if (existing != null) {
            if (!existing.driver().equals(cfg.driver())) {
                throw CniError.config("network " + cfg.network() + " exists with driver " + existing.driver() + ", not "
                        + cfg.driver());
            }
            return existing;
        }
        IpPrefix subnet = cfg.subnet();
        InetAddress gateway = cfg.gateway();
        IpPrefix subnet6 = cfg.subnet6();
        if (delegated != null) {
            for (JsonNode ip : delegated.path("ips")) {
                IpPrefix a = IpPrefix.parse(ip.path("address").asText());
                IpPrefix net = Subnets.network(a);
                InetAddress gw = ip.path("gateway").isTextual() ? IpPrefix.parseAddress(ip.get("gateway").asText()) : null;
                if (a.isIpv4() && subnet == null) {
                    subnet = net;
                    gateway = gateway == null ? gw : gateway;
                } else if (!a.isIpv4() && subnet6 == null) {
                    subnet6 = net;
                }
            }
        }
        List<IpamConfig> v4 = List.of(new IpamConfig(subnet, cfg.ipRange(), gateway, Map.of()));
        List<IpamConfig> v6 = subnet6 == null ? List.of() : List.of(new IpamConfig(subnet6, null, null, Map.of()));
        return controller.newNetwork(new NetworkConfig(cfg.network(), cfg.driver(), v4, v6, !v6.isEmpty(), cfg.internal(),
                cfg.options(), Map.of(LABEL, "true")));
    }

    private Network find(String name) {
        try {
            Network n = controller.network(name);
            return n.name().equals(name) ? n : null;
        } catch (WeftException e) {
            if (e.kind() == WeftException.Kind.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    /** Removes the attachment: its sandbox and endpoint, wherever a crash left them; nothing there is success. */
    private void del(CniRequest req, CniConfig cfg) {
        try {
            removeSandbox(req.attachment());
            Network net = find(cfg.network());
            if (net != null) {
                removeEndpoint(net, req.endpointName());
            }
        } finally {
            changed.run();
        }
        if (cfg.ipamType() != null) {
            DelegatedIpam.run("DEL", req, cfg);
        }
    }

    private void removeSandbox(String key) {
        Sandbox sb;
        try {
            sb = controller.sandbox(key);
        } catch (WeftException e) {
            if (e.kind() == WeftException.Kind.NOT_FOUND) {
                return;
            }
            throw e;
        }
        for (Endpoint ep : sb.endpoints()) {
            ep.leave(sb);
            ep.delete();
        }
        sb.delete();
    }

    private static void removeEndpoint(Network net, String name) {
        for (Endpoint ep : net.endpoints()) {
            if (ep.name().equals(name)) {
                ep.leaveAnywhere();
                ep.delete();
            }
        }
    }

    /**
     * Removes every CNI attachment of the configuration's network that is not in the valid list,
     * and CNI sandboxes left without an endpoint; carries on past failures and reports them at the end.
     */
    private void gc(CniRequest req, CniConfig cfg) {
        List<String> valid = cfg.validAttachments();
        List<String> failures = new ArrayList<>();
        Network net = find(cfg.network());
        try {
            for (Sandbox sb : controller.sandboxes()) {
                String key = sb.containerId();
                if (!key.startsWith("cni:") || valid.contains(key)) {
                    continue;
                }
                List<Endpoint> eps = sb.endpoints();
                boolean ours = eps.isEmpty() || net != null && eps.stream().allMatch(e -> e.network().id().equals(net.id()));
                if (ours) {
                    collect(failures, "sandbox " + key, () -> removeSandbox(key));
                }
            }
            if (net != null) {
                List<String> validNames = valid.stream().map(k -> {
                    String[] p = k.split(":", 3);
                    return CniRequest.endpointName(p[1], p[2]);
                }).toList();
                for (Endpoint ep : net.endpoints()) {
                    String name = ep.name();
                    if (name.startsWith("cni.") && !validNames.contains(name) && !ep.state().joined()) {
                        collect(failures, "endpoint " + name, () -> {
                            ep.delete();
                        });
                    }
                }
            }
        } finally {
            changed.run();
        }
        if (cfg.ipamType() != null) {
            forwardTolerant("GC", req, cfg);
        }
        if (!failures.isEmpty()) {
            throw new CniError(CniError.TRY_AGAIN_LATER, "garbage collection incomplete", String.join("; ", failures));
        }
    }

    private static void collect(List<String> failures, String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            failures.add(what + ": " + e.getMessage());
        }
    }

    /** GC and STATUS forwarded to a delegate that may predate them (CNI 1.1): its "unknown command" is no failure. */
    private static void forwardTolerant(String command, CniRequest req, CniConfig cfg) {
        try {
            DelegatedIpam.run(command, req, cfg);
        } catch (CniError e) {
            if (e.code() != CniError.INVALID_ENVIRONMENT && e.code() != CniError.INCOMPATIBLE_VERSION) {
                throw e;
            }
        }
    }
}
