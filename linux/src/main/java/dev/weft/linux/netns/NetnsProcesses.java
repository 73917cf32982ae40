package dev.weft.linux.netns;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The processes living in a network namespace, found by the namespace's inode (its bind mount's
 * and every member's /proc/PID/ns/net name the same one). This finds a container's process by its
 * sandbox alone, when no pid of it was recorded: a crash between starting it and recording it.
 */
public final class NetnsProcesses {
    private NetnsProcesses() {
    }

    /**
     * The pids of the processes whose network namespace is the one bound at {@code netns}; empty
     * when nothing is bound there any more, and never this process (nor anything when
     * {@code netns} is this process's own namespace).
     */
    public static List<Long> in(Path netns) {
        String wanted;
        try {
            wanted = "net:[" + Files.getAttribute(netns, "unix:ino") + "]";
            if (wanted.equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString())) {
                return List.of();
            }
        } catch (IOException | UnsupportedOperationException e) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path p : procs) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid != self && wanted.equals(link(p.resolve("ns/net")))) {
                    out.add(pid);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list /proc", e);
        }
        return out;
    }

    private static String link(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            return ""; // gone meanwhile, or a kernel thread's
        }
    }
}
