package dev.weft.linux.netns;

import dev.weft.linux.KernelException;
import dev.weft.linux.sys.Libc;
import dev.weft.linux.sys.SysException;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An open handle to a network namespace. Work inside it runs on a platform thread of its own
 * that enters the namespace and then ends, so no thread that switched namespaces is ever reused
 * (setns moves only the calling OS thread; a virtual thread could hop carriers).
 */
public final class Netns implements AutoCloseable {
    private final String name;
    private final Path path;
    private final int fd;
    private volatile boolean closed;

    private Netns(String name, Path path, int fd) {
        this.name = name;
        this.path = path;
        this.fd = fd;
    }

    /** Opens the namespace bound at {@code path} (a bind mount or a /proc/PID/ns/net file). */
    public static Netns open(Path path) {
        return open(path.getFileName() == null ? path.toString() : path.getFileName().toString(), path);
    }

    static Netns open(String name, Path path) {
        try {
            int fd = Libc.open(path.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            return new Netns(name, path, fd);
        } catch (SysException e) {
            throw KernelException.of(e.errno(), "open network namespace", path.toString(), null, null, e);
        }
    }

    /** The namespace the process started in (its main thread's), named "host". */
    public static Netns host() {
        return open("host", Path.of("/proc/self/ns/net"));
    }

    public String name() {
        return name;
    }

    public Path path() {
        return path;
    }

    /** The open file descriptor, for netlink attributes such as IFLA_NET_NS_FD. Valid until close. */
    public int fd() {
        if (closed) {
            throw new IllegalStateException("network namespace " + name + " is closed");
        }
        return fd;
    }

    /** Runs {@code task} inside {@code netns}, or on the calling thread when it is null (this process's namespace). */
    public static <T> T callIn(Netns netns, Callable<T> task) {
        if (netns != null) {
            return netns.call(task);
        }
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code task} inside this namespace on a dedicated platform thread and returns its result. */
    public <T> T call(Callable<T> task) {
        int nsFd = fd();
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread worker = Thread.ofPlatform().name("netns-" + name).daemon().unstarted(() -> {
            try {
                try {
                    Libc.setns(nsFd, Libc.CLONE_NEWNET);
                } catch (SysException e) {
                    throw KernelException.of(e.errno(), "enter network namespace", name, null, null, e);
                }
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        worker.start();
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while working in network namespace " + name, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("in network namespace " + name + ": " + cause, cause);
        }
    }

    /** Runs {@code task} inside this namespace on a dedicated platform thread. */
    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }

    @Override
    public String toString() {
        return "netns " + name + " (" + path + ")";
    }
}
