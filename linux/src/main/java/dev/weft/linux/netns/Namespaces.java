package dev.weft.linux.netns;

import dev.weft.linux.KernelException;
import dev.weft.linux.sys.Errno;
import dev.weft.linux.sys.Libc;
import dev.weft.linux.sys.SysException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Named network namespaces kept as bind mounts in a run directory, the way {@code ip netns}
 * keeps them in /run/netns (the default), so both tools see the same namespaces.
 */
public final class Namespaces {
    public static final Path DEFAULT_RUN_DIR = Path.of("/run/netns");
    private final Path runDir;
    private volatile boolean shared;

    public Namespaces(Path runDir) {
        this.runDir = runDir;
    }

    public Namespaces() {
        this(DEFAULT_RUN_DIR);
    }

    public Path runDir() {
        return runDir;
    }

    public Path path(String name) {
        validate(name);
        return runDir.resolve(name);
    }

    /** Creates a new, empty network namespace called {@code name} and returns it open. */
    public Netns create(String name) {
        Path path = path(name);
        makeRunDirShared();
        try {
            Libc.close(Libc.open(path.toString(), Libc.O_RDONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0));
        } catch (SysException e) {
            throw KernelException.of(e.errno(), "create network namespace", name, null, null, e);
        }
        try {
            bindNewNamespace(path);
            return Netns.open(name, path);
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void bindNewNamespace(Path path) {
        String name = path.getFileName().toString();
        Thread.Builder builder = Thread.ofPlatform().name("netns-create-" + name).daemon();
        RuntimeException[] failure = new RuntimeException[1];
        Thread t = builder.start(() -> {
            try {
                Libc.unshare(Libc.CLONE_NEWNET);
                Libc.mount("/proc/thread-self/ns/net", path.toString(), "none", Libc.MS_BIND);
            } catch (SysException e) {
                failure[0] = KernelException.of(e.errno(), "create network namespace", name, null,
                        e.call(), e);
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating network namespace " + name, e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /**
     * Makes the run directory a shared mount point (as iproute2 does), so that namespaces
     * mounted in it later are seen from other mount namespaces too.
     */
    private void makeRunDirShared() {
        if (shared) {
            return;
        }
        synchronized (this) {
            if (shared) {
                return;
            }
            try {
                Files.createDirectories(runDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create namespace run directory " + runDir, e);
            }
            String dir = runDir.toString();
            try {
                Libc.mount("none", dir, null, Libc.MS_SHARED | Libc.MS_REC);
            } catch (SysException notMountPoint) {
                if (notMountPoint.errno() != Errno.EINVAL) {
                    throw KernelException.of(notMountPoint.errno(), "share mount", dir, null, null, notMountPoint);
                }
                try {
                    Libc.mount(dir, dir, "none", Libc.MS_BIND | Libc.MS_REC);
                    Libc.mount("none", dir, null, Libc.MS_SHARED | Libc.MS_REC);
                } catch (SysException e) {
                    throw KernelException.of(e.errno(), "share mount", dir, null, null, e);
                }
            }
            shared = true;
        }
    }

    /** Opens the existing namespace called {@code name}. */
    public Netns open(String name) {
        return Netns.open(name, path(name));
    }

    public boolean exists(String name) {
        return Files.exists(path(name));
    }

    /**
     * Whether {@code name} is a mounted namespace. A bare file without the mount is what a process
     * killed in the middle of {@link #create} or {@link #delete} leaves behind; it is no namespace.
     */
    public boolean isMounted(String name) {
        return isNamespaceMount(path(name));
    }

    /**
     * Whether a network namespace (nsfs) is bind-mounted at {@code path}, wherever it is (symbolic
     * links resolved: /var/run/netns/X is mounted at /run/netns/X).
     */
    public static boolean isNamespaceMount(Path path) {
        String target;
        try {
            target = path.toRealPath().toString();
        } catch (IOException e) {
            return false;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] halves = line.split(" - ", 2);
                if (halves.length == 2 && halves[1].startsWith("nsfs ")
                        && halves[0].split(" ")[4].replace("\\040", " ").equals(target)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    /**
     * Unmounts and removes the namespace called {@code name}. Returns false if there was none,
     * so teardown can be repeated safely. The namespace itself lives on while a process or an
     * open handle still uses it.
     */
    public boolean delete(String name) {
        Path path = path(name);
        if (!Files.exists(path)) {
            return false;
        }
        try {
            Libc.umount2(path.toString(), Libc.MNT_DETACH);
        } catch (SysException e) {
            if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
                throw KernelException.of(e.errno(), "delete network namespace", name, null, null, e);
            }
        }
        try {
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete network namespace " + name + ": " + e.getMessage(), e);
        }
    }

    /** The names of the namespaces in the run directory, sorted. */
    public List<String> list() {
        if (!Files.isDirectory(runDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(runDir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runDir, e);
        }
    }

    static void validate(String name) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0 || name.length() > 255) {
            throw KernelException.of(Errno.EINVAL, "use network namespace name", '"' + String.valueOf(name) + '"',
                    null, "a name is 1 to 255 characters without '/'");
        }
    }
}
