package dev.weft.dist;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A clean Debian 12 root (debootstrap's minbase, plus systemd and man-db for {@code systemd-analyze
 * verify}; no JDK), made once and kept under a stable directory, {@code /var/cache/weft-test/debian12}
 * ({@code -Dweft.debian.root=DIR} changes it), with apt's package lists fetched. Tests never change it:
 * they mount an overlay on it. Making it needs debootstrap and Debian's mirror
 * ({@code -Dweft.debian.mirror=URL}, default http://deb.debian.org/debian); without them the test fails
 * and says so.
 */
final class DebianRoot {
    static final Path DIR = Path.of(System.getProperty("weft.debian.root", "/var/cache/weft-test/debian12"));
    static final String MIRROR = System.getProperty("weft.debian.mirror", "http://deb.debian.org/debian");
    private static final String COMPLETE = ".weft-root-complete";

    private DebianRoot() {
    }

    /** The cached root, made first if missing (about a minute with a reachable mirror). */
    static synchronized Path get() throws Exception {
        if (Files.exists(DIR.resolve(COMPLETE))) {
            return DIR;
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/debootstrap"))) {
            throw new AssertionError("the Debian 12 root " + DIR + " is not there and debootstrap is missing to make it:"
                    + " apt-get install debootstrap (scripts/setup-debian installs it)");
        }
        Path parent = Files.createDirectories(DIR.toAbsolutePath().getParent());
        Path partial = parent.resolve(DIR.getFileName() + ".partial");
        Dist.run(parent, 60, "rm", "-rf", "--one-file-system", partial.toString());
        // in a private mount namespace: the /proc and /sys that debootstrap mounts in the root go with it, also on failure
        Dist.Result r = Dist.run(parent, 900, "unshare", "--mount", "--propagation", "private", "--", "debootstrap", "--variant=minbase", "--include=systemd,man-db",
                "bookworm", partial.toString(), MIRROR);
        if (r.exit() != 0) {
            throw new AssertionError("debootstrap could not make a Debian 12 root from " + MIRROR
                    + " (is the mirror reachable? -Dweft.debian.mirror=URL names another): " + tail(r.output()));
        }
        Files.writeString(partial.resolve("etc/resolv.conf"), Files.readString(Path.of("/etc/resolv.conf")));
        r = Dist.run(parent, 300, "chroot", partial.toString(), "apt-get", "update", "-qq");
        if (r.exit() != 0) {
            throw new AssertionError("apt-get update in the new Debian 12 root failed (mirror " + MIRROR + "): " + tail(r.output()));
        }
        Files.writeString(partial.resolve(COMPLETE), MIRROR + "\n");
        Dist.run(parent, 60, "rm", "-rf", "--one-file-system", DIR.toString());
        Files.move(partial, DIR);
        return DIR;
    }

    /**
     * Runs the test script {@code name} (a resource beside this class, with debian-root.sh, which it
     * sources) as {@code unshare --mount --propagation private -- bash SCRIPT LOWER WORK DEB APTCACHE}
     * on the cached root and the .deb, and returns what it printed; fails with its output if it fails.
     * WORK, the throwaway overlay's upper layer, is deleted afterwards.
     */
    static String runScript(String name) throws Exception {
        Path lower = get();
        Path deb = Dist.deb();
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "wtpkg");
        Path aptCache = DIR.resolveSibling("apt-archives"); // downloaded Depends, kept between runs
        try {
            for (String resource : List.of("debian-root.sh", name)) {
                try (InputStream in = Objects.requireNonNull(DebianRoot.class.getResourceAsStream(resource), resource)) {
                    Files.copy(in, work.resolve(resource));
                }
            }
            Dist.Result r = Dist.run(work, 600, "unshare", "--mount", "--propagation", "private", "--", "bash",
                    work.resolve(name).toString(), lower.toString(), work.resolve("overlay").toString(), deb.toString(),
                    aptCache.toString());
            assertThat(r.exit()).as(name + " failed:\n" + tail(r.output())).isZero();
            return r.output();
        } finally {
            Dist.run(work, 120, "rm", "-rf", "--one-file-system", work.toString());
        }
    }

    /** What a script printed under "== NAME", up to the next section. */
    static String section(String out, String name) {
        int start = out.indexOf("\n== " + name + "\n");
        assertThat(start).as("section " + name + " in:\n" + tail(out)).isNotNegative();
        int end = out.indexOf("\n== ", start + 4);
        return out.substring(start, end < 0 ? out.length() : end);
    }

    static String tail(String s) {
        return s.substring(Math.max(0, s.length() - 4000));
    }
}
