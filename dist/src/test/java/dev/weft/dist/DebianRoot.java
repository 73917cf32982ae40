package dev.weft.dist;

import java.nio.file.Files;
import java.nio.file.Path;

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

    static String tail(String s) {
        return s.substring(Math.max(0, s.length() - 4000));
    }
}
