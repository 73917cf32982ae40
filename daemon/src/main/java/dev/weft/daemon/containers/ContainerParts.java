package dev.weft.daemon.containers;

import dev.weft.daemon.journal.Intent;
import dev.weft.engine.Controller;
import dev.weft.engine.Endpoint;
import dev.weft.engine.Network;
import dev.weft.engine.Sandbox;
import dev.weft.engine.WeftException;
import dev.weft.engine.state.EndpointState;
import dev.weft.daemon.kernel.HostKernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Removes a container's parts by its name and id, each step a no-op when its part is gone, so it
 * serves {@code weft rm} and the replay of a run or rm that a crash interrupted alike: its process
 * (by pid and start time), its sandbox's attachments (services are left, detached), its own
 * endpoints (addresses are released with them), the sandbox, and its files in the run directory.
 */
final class ContainerParts {
    private final Controller controller;
    private final Path dir;
    private final Runnable sandboxesChanged;

    ContainerParts(Controller controller, Path dir, Runnable sandboxesChanged) {
        this.controller = controller;
        this.dir = dir;
        this.sandboxesChanged = sandboxesChanged;
    }

    /** Finishes an interrupted rm: every part goes. */
    void finishRemove(Intent rm) {
        kill(rm.arg("pid"), rm.arg("startTime"));
        remove(rm.arg("name"), rm.arg("id"));
    }

    /**
     * Finishes an interrupted run if its record was written (the run's last step), else undoes
     * it: the process it started, the service endpoint and network it made, and every other part.
     */
    void finishOrUndoRun(Intent run) {
        String id = run.arg("id");
        if (Files.exists(dir.resolve(id + ".json"))) {
            return; // the record is the run's commit point: it completed
        }
        kill(run.done("pid"), run.done("startTime"));
        Sandbox sb = sandbox(run.arg("name"));
        String service = run.done("service-creating");
        if (service != null) {
            String[] s = service.split("\\.", 2);
            endpoint(s[1], s[0]).filter(e -> !e.state().joined() || (sb != null && sb.id().equals(e.state().sandboxId())))
                    .ifPresent(e -> {
                        e.leaveAnywhere();
                        e.delete();
                    });
        }
        remove(run.arg("name"), id);
        String network = run.done("network-creating");
        if (network != null) {
            try {
                Network n = controller.network(network);
                if (n.endpoints().isEmpty()) {
                    n.delete();
                }
            } catch (WeftException e) {
                if (e.kind() != WeftException.Kind.NOT_FOUND) {
                    throw e;
                }
            }
        }
    }

    /** Leaves every network the sandbox joined, deletes the container's own endpoints, the sandbox and its files. */
    void remove(String name, String id) {
        Sandbox sb = sandbox(name);
        for (Network n : controller.networks()) {
            // states read at once: another host's endpoint on a global network may go meanwhile. A
            // global network this host does not follow is read from the store (no watch starts): it
            // may hold this container's endpoint, created here but never joined before a crash
            for (EndpointState s : n.endpointStates()) {
                boolean ours = sb != null && sb.id().equals(s.sandboxId());
                boolean named = s.name().equals(name) && (ours || !s.joined());
                if (!ours && !named) {
                    continue;
                }
                try {
                    Endpoint e = n.endpoint(s.id());
                    if (ours) {
                        e.leave(sb);
                    }
                    if (named) {
                        e.delete();
                    }
                } catch (WeftException gone) {
                    // removed meanwhile by another removal
                    if (gone.kind() != WeftException.Kind.NOT_FOUND) {
                        throw gone;
                    }
                }
            }
        }
        if (sb != null) {
            killInside(sb);
            sb.delete();
            sandboxesChanged.run();
        }
        try {
            for (String suffix : new String[] {".ready", ".log", ".json.tmp", ".json"}) {
                Files.deleteIfExists(dir.resolve(id + suffix));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the files of container " + name, e);
        }
    }

    /**
     * SIGKILLs whatever still runs in the sandbox's namespace: a container process whose pid a
     * crash kept from being recorded (it was started, weftd died before noting it).
     */
    private static void killInside(Sandbox sb) {
        if (sb.netnsPath() == null) {
            return;
        }
        for (long pid : HostKernel.processesIn(sb.netnsPath())) {
            kill(Long.toString(pid), null);
        }
    }

    private Sandbox sandbox(String name) {
        try {
            return controller.sandbox(name);
        } catch (WeftException e) {
            if (e.kind() == WeftException.Kind.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private Optional<Endpoint> endpoint(String network, String name) {
        try {
            return Optional.of(controller.network(network).endpoint(name));
        } catch (WeftException e) {
            if (e.kind() == WeftException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** SIGKILLs the process with this pid if it is still the one started then, and waits up to 10 s for it to go. */
    static void kill(String pid, String startTime) {
        if (pid == null) {
            return;
        }
        Optional<ProcessHandle> p = alive(Long.parseLong(pid), startTime == null ? "" : startTime);
        p.ifPresent(ProcessHandle::destroyForcibly);
        for (int i = 0; i < 200 && p.isPresent() && alive(p.get().pid(), startTime == null ? "" : startTime).isPresent(); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * The process with this pid and start time, if alive. A zombie counts as exited: after a weftd
     * restart the process is no longer weftd's child, and whoever adopted it reaps it.
     */
    static Optional<ProcessHandle> alive(long pid, String startTime) {
        String started = startTime == null ? "" : startTime;
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> !zombie(h.pid()))
                .filter(h -> started.isEmpty() || h.info().startInstant().map(Instant::toString).orElse("").equals(started));
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return false; // gone already, or unreadable: isAlive decided
        }
    }
}
