package dev.weft.bench;

import dev.weft.linux.sys.Libc;
import dev.weft.linux.sys.SysException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Unmounts everything mounted at or below a directory (a controller's run dir), deepest first. */
final class DirectoryCleanup {
    private DirectoryCleanup() {
    }

    static void unmountAll(Path dir) {
        List<String> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String point = line.split(" ")[4];
                if (point.equals(dir.toString()) || point.startsWith(dir + "/")) {
                    mounts.add(point);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        mounts.sort(Comparator.comparingInt(String::length).reversed());
        for (String m : mounts) {
            try {
                Libc.umount2(m, Libc.MNT_DETACH);
            } catch (SysException ignored) {
                // gone with its parent
            }
        }
    }
}
