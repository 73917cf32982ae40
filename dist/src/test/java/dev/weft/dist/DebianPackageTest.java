package dev.weft.dist;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The .deb in a clean Debian 12 root without a JDK ({@link DebianRoot}, under a throwaway overlay in
 * a private mount namespace): apt-get installs it with its Depends and Recommends from Debian's mirror,
 * the unit is enabled, the bundled runtime has only the modules weft needs, the launchers, CNI plugin,
 * completion and man pages work, {@code systemd-analyze verify} accepts weftd.service with and without
 * the Docker-plugin drop-in; then, in a network namespace of its own, {@code weft doctor}, weftd as the
 * unit starts it (stopped by SIGTERM, exit 0) and the demo; and removing and purging the package.
 */
class DebianPackageTest {

    @Test
    void installsAndRunsInACleanDebianRoot() throws Exception {
        Path lower = DebianRoot.get();
        Path deb = Dist.deb();
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "wtpkg");
        Path aptCache = DebianRoot.DIR.resolveSibling("apt-archives"); // downloaded Depends, kept between runs
        Path script = work.resolve("install.sh");
        try (InputStream in = Objects.requireNonNull(DebianPackageTest.class.getResourceAsStream("install-in-debian-root.sh"))) {
            Files.copy(in, script);
        }
        try {
            Dist.Result r = Dist.run(work, 600, "unshare", "--mount", "--propagation", "private", "--", "bash", script.toString(),
                    lower.toString(), work.resolve("overlay").toString(), deb.toString(), aptCache.toString());
            String out = r.output();
            assertThat(r.exit()).as("the install script failed:\n" + DebianRoot.tail(out)).isZero();
            assertThat(section(out, "no JDK")).contains("none");
            assertThat(section(out, "install")).contains("weft 0.1.0~snapshot install ok installed")
                    .contains("libnftables1").contains("iputils-ping");
            assertThat(section(out, "enabled")).contains("weftd.service enabled");
            assertThat(section(out, "runtime")).contains("java.base").contains("jdk.unsupported")
                    .as("only the modules weft needs").doesNotContain("jdk.compiler").doesNotContain("jdk.jshell");
            assertThat(section(out, "versions")).contains("weft 0.1.0").contains("weftd 0.1.0").contains("loris");
            assertThat(section(out, "cni")).contains("\"supportedVersions\"");
            assertThat(section(out, "completion")).contains("complete").contains("weft");
            assertThat(section(out, "man")).contains("/usr/share/man/man1/weft.1.gz").contains("/usr/share/man/man8/weftd.8.gz")
                    .contains("/usr/share/man/man8/loris.8.gz").contains("weft-network-create");
            assertThat(section(out, "verify")).contains("weftd.service verified")
                    .contains("weftd.service with docker-plugin.conf verified");
            assertThat(section(out, "doctor")).doesNotContainIgnoringCase("fail");
            assertThat(section(out, "weftd as the unit runs it")).contains("NETWORK ID").contains("660 root:root /run/weft/weft.sock")
                    .contains("weftd exited 0 on SIGTERM");
            assertThat(section(out, "demo")).contains(" 0% packet loss")
                    .contains("nothing left behind");
            assertThat(section(out, "remove")).contains("removed; /etc/default/weftd kept").contains("purged");
        } finally {
            Dist.run(work, 120, "rm", "-rf", "--one-file-system", work.toString());
        }
    }

    /** What the script printed under "== NAME", up to the next section. */
    private static String section(String out, String name) {
        int start = out.indexOf("\n== " + name + "\n");
        assertThat(start).as("section " + name + " in:\n" + DebianRoot.tail(out)).isNotNegative();
        int end = out.indexOf("\n== ", start + 4);
        return out.substring(start, end < 0 ? out.length() : end);
    }
}
