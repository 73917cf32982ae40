package dev.weft.engine.internal;

import dev.weft.engine.Errors;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.Undo;
import dev.weft.engine.WeftException;
import dev.weft.engine.driver.SandboxPort;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.SandboxState;
import dev.weft.linux.KernelException;
import dev.weft.linux.netns.Namespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Sandbox create, find and delete. */
public final class SandboxOps {
    private final Context c;
    private final Namespaces namespaces;
    private final SandboxFiles files;
    private final SandboxPorts ports;
    private final EndpointOps endpoints;

    SandboxOps(Context c, Namespaces namespaces, SandboxFiles files, SandboxPorts ports, EndpointOps endpoints) {
        this.c = c;
        this.namespaces = namespaces;
        this.files = files;
        this.ports = ports;
        this.endpoints = endpoints;
    }

    public String create(String containerId, SandboxOptions options) {
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
                undo.push("close the sockets of sandbox " + id, () -> ports.close(id));
            } else if (!options.hostNetwork()) {
                String name = Ids.shortId(id);
                try {
                    Netns ns = namespaces.create(name);
                    undo.push("delete namespace " + name, () -> namespaces.delete(name));
                    SandboxPort port = ports.open(id, ns);
                    undo.push("close the sockets of sandbox " + id, () -> ports.close(id));
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
                undo.push("delete the files of sandbox " + id, () -> files.delete(id));
                files.write(sb, List.of());
            }
            undo.commit();
            return id;
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
            ports.open(id, Netns.open(path)).rtnetlink().links().setUp("lo");
            return path.toString();
        } catch (KernelException e) {
            throw WeftException.invalid("cannot use " + path + " as a network namespace: " + e.getMessage());
        }
    }

    /** Whether the sandbox is in another runtime's namespace, not one weft made. */
    public boolean adopted(SandboxState sb) {
        return ports.adopted(sb);
    }

    public SandboxState state(String id) {
        return c.sandbox(id);
    }

    /** The id of the sandbox with this id, unique id prefix or container id. */
    public String find(String key) {
        List<SandboxState> all = c.state().sandboxes();
        Optional<SandboxState> exact = all.stream()
                .filter(s -> s.id().equals(key) || s.containerId().equals(key)).findFirst();
        List<SandboxState> match = exact.map(List::of)
                .orElseGet(() -> all.stream().filter(s -> !key.isEmpty() && s.id().startsWith(key)).toList());
        if (match.size() != 1) {
            throw match.isEmpty() ? WeftException.notFound("sandbox " + key + " not found")
                    : WeftException.invalid("sandbox id prefix " + key + " is ambiguous");
        }
        return match.getFirst().id();
    }

    public void delete(String id) {
        c.lock().lock();
        try {
            SandboxState sb = state(id);
            for (EndpointState ep : c.state().joinedTo(id)) {
                endpoints.leave(ep.networkId(), ep.id(), id);
            }
            ports.close(id);
            if (sb.netnsPath() != null && !ports.adopted(sb)) {
                namespaces.delete(Path.of(sb.netnsPath()).getFileName().toString());
            }
            c.state().deleteSandbox(id);
            files.delete(id);
        } catch (KernelException e) {
            throw Errors.of(e);
        } finally {
            c.lock().unlock();
        }
    }
}
