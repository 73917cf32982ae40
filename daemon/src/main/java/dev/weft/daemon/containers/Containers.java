package dev.weft.daemon.containers;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.daemon.api.ApiException;
import dev.weft.daemon.api.VipBackends;
import dev.weft.daemon.api.Hostnames;
import dev.weft.daemon.journal.Intent;
import dev.weft.daemon.journal.Journal;
import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.EndpointOptions;
import dev.weft.engine.EngineObserver;
import dev.weft.engine.Network;
import dev.weft.engine.PortBinding;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.WeftException;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Undo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Lightweight containers: a sandbox, its endpoints, and one process started in the sandbox's
 * network namespace plus mount and UTS namespaces of its own, where the sandbox's hosts and
 * resolv.conf files are bind-mounted over /etc and the hostname is set. The process runs in a
 * session of its own, so it outlives a weftd that stops or dies; its record on disk lets the next
 * weftd find it again. A container keeps its state after its process exits, until it is removed.
 */
public final class Containers {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Controller controller;
    private final Path dir;
    private final Runnable sandboxesChanged;
    private final Map<String, Process> children = new ConcurrentHashMap<>();
    /** Ids of the containers being removed now. */
    private final Map<String, Boolean> removing = new ConcurrentHashMap<>();
    private final Journal journal;
    private final ContainerParts parts;
    private final EngineObserver observer;

    public Containers(Controller controller, Path runDir, Runnable sandboxesChanged, Journal journal,
                      EngineObserver observer) {
        this.observer = observer;
        this.controller = controller;
        this.dir = runDir.resolve("containers");
        this.sandboxesChanged = sandboxesChanged;
        this.journal = journal;
        this.parts = new ContainerParts(controller, dir, sandboxesChanged);
    }

    /** The journal's handlers for this class's operations: an interrupted run is finished or undone, an rm finished. */
    public Map<String, java.util.function.Consumer<Intent>> recovery() {
        return Map.of("run", parts::finishOrUndoRun, "rm", parts::finishRemove);
    }

    /** Runs the container {@code body} describes (an operation "container_run" for the observer). */
    public ContainerView create(ContainerCreate body) {
        return observer.timed("container_run", () -> run(body));
    }

    private ContainerView run(ContainerCreate body) {
        if (body == null || body.cmd() == null || body.cmd().isEmpty()) {
            throw new ApiException(400, "a container needs a command (Cmd)");
        }
        String id = HexFormat.of().formatHex(random());
        String name = body.name() == null || body.name().isEmpty() ? id.substring(0, 12) : body.name();
        Hostnames.checkName(name);
        if (body.hostname() != null && !body.hostname().isEmpty()) {
            Hostnames.check("Hostname", body.hostname());
        }
        for (int i = 0; i < body.cmd().size(); i++) {
            if (body.cmd().get(i).indexOf('\0') >= 0) {
                throw new ApiException(400, "field Cmd[" + i + "]: a NUL character cannot be passed to a process");
            }
        }
        if (records().stream().anyMatch(r -> r.name().equals(name))) {
            throw new ApiException(409, "container name " + name + " is already in use");
        }
        String hostname = body.hostname() == null || body.hostname().isEmpty() ? Hostnames.derive(name, id) : body.hostname();
        List<String> networks = body.networks() == null ? List.of() : body.networks();
        Intent intent = Intent.of("run", "name", name, "id", id, "networks", String.join(",", networks));
        return journal.run(intent, entry -> view(create(body, id, name, hostname, networks, entry)));
    }

    private ContainerRecord create(ContainerCreate body, String id, String name, String hostname, List<String> networks,
                                   Journal.Entry entry) {
        try (Undo undo = new Undo()) {
            Sandbox sb = controller.newSandbox(name, SandboxOptions.named(hostname).withDnsServers(body.dns()));
            undo.push("delete sandbox " + name, () -> {
                sb.delete();
                sandboxesChanged.run();
            });
            sandboxesChanged.run();
            List<PortBinding> ports = new ArrayList<>();
            for (String p : body.ports() == null ? List.<String>of() : body.ports()) {
                ports.addAll(PortBinding.parse(p));
            }
            String[] service = body.publishService() == null || body.publishService().isBlank() ? null
                    : serviceSpec(body.publishService());
            if (service != null) {
                serviceNetwork(service, undo, entry);
            }
            for (int i = 0; i < networks.size(); i++) {
                Network net = controller.network(networks.get(i));
                if (service != null && net.name().equals(controller.network(service[1]).name())) {
                    continue; // on the service's network the container is the service's endpoint
                }
                Endpoint ep = net.createEndpoint(name, i == 0 ? EndpointOptions.publishing(ports) : EndpointOptions.none());
                undo.push("delete endpoint " + name, ep::delete);
                ep.join(sb);
                undo.push("leave " + net.name(), () -> ep.leave(sb));
            }
            if (service != null) {
                publishService(service, sb, undo, entry);
            }
            ContainerRecord rec = start(id, name, hostname, body.cmd(), networks, sb, undo, entry);
            undo.commit();
            return rec;
        }
    }

    /** "svc1.dev" or "svc1.dev.overlay" -> {"svc1", "dev", null or "overlay"}. */
    private static String[] serviceSpec(String spec) {
        String[] parts = spec.split("\\.");
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
                || (parts.length == 3 && parts[2].isEmpty())) {
            throw new ApiException(400, "invalid PublishService \"" + spec + "\": expected SVC.NET[.DRIVER]");
        }
        return new String[] {parts[0], parts[1], parts.length == 3 ? parts[2] : null};
    }

    /**
     * The service's network, as the seed's quick start has it: SVC.NET.DRIVER creates network NET
     * with DRIVER (and an automatic subnet) when there is none yet; an existing one must use DRIVER.
     */
    private void serviceNetwork(String[] service, Undo undo, Journal.Entry entry) {
        String driver = service[2];
        Network net;
        try {
            net = controller.network(service[1]);
        } catch (WeftException e) {
            if (e.kind() != WeftException.Kind.NOT_FOUND || driver == null) {
                throw e;
            }
            entry.note("network-creating", service[1]);
            Network created = controller.newNetwork(NetworkConfig.of(service[1], driver));
            undo.push("remove network " + service[1], created::delete);
            return;
        }
        if (driver != null && !net.state().driver().equals(driver)) {
            throw new ApiException(409, "network " + net.name() + " uses the " + net.state().driver() + " driver, not " + driver);
        }
    }

    /** Attaches the service (publishing it first unless it exists, unattached) to the container's sandbox. */
    private void publishService(String[] service, Sandbox sb, Undo undo, Journal.Entry entry) {
        Network net = controller.network(service[1]);
        Endpoint ep = net.endpoints().stream().filter(e -> e.name().equals(service[0])).findFirst().orElse(null);
        if (ep != null && ep.state().vip()) {
            Endpoint backend = VipBackends.add(ep, sb); // one backend more behind the service's virtual IP
            undo.push("remove backend " + backend.name(), () -> {
                backend.leave(sb);
                backend.delete();
            });
            return;
        }
        if (ep == null) {
            entry.note("service-creating", service[0] + "." + net.name());
            ep = net.createEndpoint(service[0]);
            undo.push("unpublish " + service[0], ep::delete);
        } else if (ep.state().joined()) {
            throw new ApiException(409, "service " + service[0] + "." + net.name() + " is already attached to another container");
        }
        Endpoint joined = ep;
        joined.join(sb);
        undo.push("detach " + service[0], () -> joined.leave(sb));
    }

    private static byte[] random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return b;
    }

    private ContainerRecord start(String id, String name, String hostname, List<String> cmd, List<String> networks,
                                  Sandbox sb, Undo undo, Journal.Entry entry) {
        Path files = controller.sandboxFilesDirectory(sb.id());
        Path ready = dir.resolve(id + ".ready");
        List<String> argv = new ArrayList<>(List.of("setsid", "nsenter", "--net=" + sb.netnsPath(), "unshare", "--mount", "--uts",
                "--propagation", "private", "--", "/bin/sh", "-c",
                "mount --bind \"$1\" /etc/hosts && mount --bind \"$2\" /etc/resolv.conf && hostname \"$3\" && : > \"$4\""
                        + " && shift 4 && exec \"$@\"",
                "weft-init", files.resolve("hosts").toString(), files.resolve("resolv.conf").toString(), hostname,
                ready.toString()));
        argv.addAll(cmd);
        try {
            Files.createDirectories(dir);
            Path log = dir.resolve(id + ".log");
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            String started = p.info().startInstant().map(Instant::toString).orElse("");
            entry.note("pid", Long.toString(p.pid()));
            entry.note("startTime", started);
            children.put(id, p);
            undo.push("kill container " + name, () -> {
                children.remove(id);
                ContainerParts.kill(Long.toString(p.pid()), started);
                deleteQuietly(log, ready);
            });
            awaitSetup(p, ready, log, name);
            ContainerRecord rec = new ContainerRecord(id, name, hostname, List.copyOf(cmd), List.copyOf(networks), p.pid(),
                    started, Instant.now().toString());
            Path tmp = dir.resolve(id + ".json.tmp");
            Files.write(tmp, JSON.writeValueAsBytes(rec));
            Files.move(tmp, dir.resolve(id + ".json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE); // the commit point
            return rec;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start container " + name + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path... files) {
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                // the next removal of the container's files retries
            }
        }
    }

    /**
     * Waits until the container's namespaces are set up (its init wrote the ready file just before
     * exec'ing the command), so that nothing entering them sees the host's /etc files.
     */
    private static void awaitSetup(Process p, Path ready, Path log, String name) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(ready)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                String output = Files.exists(log) ? Files.readString(log).strip() : "";
                throw new ApiException(500, "container " + name + " failed to start" + (output.isEmpty() ? "" : ": " + output));
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting container " + name, e);
            }
        }
        Files.delete(ready);
    }

    public List<ContainerView> list() {
        List<ContainerView> out = new ArrayList<>();
        for (ContainerRecord r : records()) {
            out.add(view(r));
        }
        return out;
    }

    public ContainerView inspect(String key) {
        return view(find(key));
    }

    public String logs(String key) {
        try {
            Path log = dir.resolve(find(key).id() + ".log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the container: refused while it runs unless {@code force}, which kills it first. */
    public void remove(String key, boolean force) {
        observer.timedRun("container_rm", () -> removeNow(key, force));
    }

    /**
     * One removal per container at a time, as Docker has it: a second one while the first runs
     * answers 409 (before, it ran alongside and failed in the middle of the first one's steps).
     */
    private void removeNow(String key, boolean force) {
        ContainerRecord found = find(key);
        if (removing.putIfAbsent(found.id(), Boolean.TRUE) != null) {
            throw new ApiException(409, "removal of container " + found.name() + " is already in progress");
        }
        try {
            removeOnce(find(key), force);
        } finally {
            removing.remove(found.id());
        }
    }

    private void removeOnce(ContainerRecord r, boolean force) {
        Optional<ProcessHandle> process = running(r);
        if (process.isPresent()) {
            if (!force) {
                throw new ApiException(409, "container " + r.name() + " is running; stop it first or use force");
            }
            process.get().destroyForcibly();
            awaitExit(r);
        }
        children.remove(r.id());
        Intent rm = Intent.of("rm", "name", r.name(), "id", r.id(), "pid", Long.toString(r.pid()), "startTime", r.startTime());
        journal.run(rm, entry -> {
            parts.finishRemove(entry.intent());
            return null;
        });
    }

    /** Running or exited: from the child process when this weftd started it (with its exit code), else from the pid. */
    private ContainerView view(ContainerRecord r) {
        Process child = children.get(r.id());
        boolean running = running(r).isPresent();
        Integer exit = child != null && !running ? child.exitValue() : null;
        return new ContainerView(r.id(), r.name(), r.hostname(), r.cmd(), r.networks(), running ? "running" : "exited",
                running ? r.pid() : 0, exit);
    }

    /**
     * The container's process if it still runs: asked of the child when this weftd started it (that
     * also reaps it), else found by pid and start time.
     */
    private Optional<ProcessHandle> running(ContainerRecord r) {
        Process child = children.get(r.id());
        if (child != null) {
            return child.isAlive() ? Optional.of(child.toHandle()) : Optional.empty();
        }
        return process(r);
    }

    private static Optional<ProcessHandle> process(ContainerRecord r) {
        return ContainerParts.alive(r.pid(), r.startTime());
    }

    /** Waits up to 10 s for a killed container process to be gone (or a zombie). */
    private void awaitExit(ContainerRecord r) {
        for (int i = 0; i < 200 && running(r).isPresent(); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (running(r).isPresent()) {
            throw new ApiException(500, "container " + r.name() + " did not exit after SIGKILL");
        }
    }

    /** The name of the container with this name, ID or ID prefix (its sandbox's key); other keys unchanged. */
    public String nameOf(String key) {
        return record(key).map(ContainerRecord::name).orElse(key);
    }

    private ContainerRecord find(String key) {
        return record(key).orElseThrow(() -> new ApiException(404, "no such container: " + key));
    }

    /**
     * The container with this name or ID, else the one whose ID starts with {@code key} (at least
     * 4 characters; refused when several do). A name that looks like hex ("c744") is a name first:
     * it once matched another container's ID prefix, so that removing it removed that one.
     */
    private Optional<ContainerRecord> record(String key) {
        List<ContainerRecord> all = records();
        Optional<ContainerRecord> exact = all.stream().filter(r -> r.name().equals(key) || r.id().equals(key)).findFirst();
        if (exact.isPresent() || key.length() < 4) {
            return exact;
        }
        List<ContainerRecord> prefixed = all.stream().filter(r -> r.id().startsWith(key)).toList();
        if (prefixed.size() > 1) {
            throw new ApiException(409, "container ID prefix " + key + " names " + prefixed.size() + " containers; give more of the ID");
        }
        return prefixed.stream().findFirst();
    }

    private List<ContainerRecord> records() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<ContainerRecord> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                try {
                    out.add(JSON.readValue(f.toFile(), ContainerRecord.class));
                } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException removedMeanwhile) {
                    // another request removed this container between the listing and the read
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read container records in " + dir, e);
        }
        return out;
    }

    /** Kills nothing: containers outlive weftd. Forgets the child handles. */
    public void close() {
        children.clear();
    }
}
