package dev.weft.testkit;

import dev.weft.linux.sys.Libc;
import dev.weft.linux.sys.SysException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A throwaway run directory under /run (named "wt..."), for controllers and daemons under test.
 * Closing it kills the processes whose output goes to a file below it (containers weftd started:
 * they outlive weftd by design, so a test that failed half-way would leave them), unmounts
 * everything mounted below it (sandbox namespaces, the shared bind mount of a namespace
 * directory), deepest first, and deletes it, so a test that failed leaves nothing.
 */
public final class RunDir implements AutoCloseable {
    private final Path path;

    public RunDir() {
        path = Path.of("/run", "wt" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 45), 36));
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + path, e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        killProcessesWritingUnder(path);
        unmountAll(path);
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + path, e);
        }
    }

    /** Kills (SIGKILL) every process whose standard output is a file at or below {@code dir}, even a deleted one. */
    public static void killProcessesWritingUnder(Path dir) {
        ProcessHandle.allProcesses().filter(h -> {
            try {
                String out = Files.readSymbolicLink(Path.of("/proc", Long.toString(h.pid()), "fd", "1")).toString();
                return out.startsWith(dir + "/");
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return false; // gone meanwhile, or not ours to read
            }
        }).forEach(ProcessHandle::destroyForcibly);
    }

    /** Unmounts everything mounted at or below {@code dir} (a controller's run directory), deepest first. */
    public static void unmountAll(Path dir) {
        List<String> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String point = line.split(" ")[4];
                if (point.equals(dir.toString()) || point.startsWith(dir + "/")) {
                    mounts.add(point);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read mounts", e);
        }
        mounts.sort(Comparator.comparingInt(String::length).reversed());
        for (String m : mounts) {
            try {
                Libc.umount2(m, Libc.MNT_DETACH);
            } catch (SysException ignored) {
                // already gone with its parent
            }
        }
    }
}
