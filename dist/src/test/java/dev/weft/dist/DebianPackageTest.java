package dev.weft.dist;

import org.junit.jupiter.api.Test;

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
        String out = DebianRoot.runScript("install-in-debian-root.sh");
        assertThat(DebianRoot.section(out, "no JDK")).contains("none");
        assertThat(DebianRoot.section(out, "install")).contains("weft 0.1.0~snapshot install ok installed")
                .contains("libnftables1").contains("iputils-ping");
        assertThat(DebianRoot.section(out, "enabled")).contains("weftd.service enabled");
        assertThat(DebianRoot.section(out, "runtime")).contains("java.base").contains("jdk.unsupported")
                .as("only the modules weft needs").doesNotContain("jdk.compiler").doesNotContain("jdk.jshell");
        assertThat(DebianRoot.section(out, "versions")).contains("weft 0.1.0").contains("weftd 0.1.0").contains("loris");
        assertThat(DebianRoot.section(out, "aot caches")).contains("Opened AOT cache /usr/lib/weft/daemon/target/weftd.aot")
                .doesNotContain("disabled").doesNotContain("mismatch").doesNotContain("Unable");
        assertThat(DebianRoot.section(out, "cni")).contains("\"supportedVersions\"");
        assertThat(DebianRoot.section(out, "completion")).contains("complete").contains("weft");
        assertThat(DebianRoot.section(out, "man")).contains("/usr/share/man/man1/weft.1.gz").contains("/usr/share/man/man8/weftd.8.gz")
                .contains("/usr/share/man/man8/loris.8.gz").contains("weft-network-create");
        assertThat(DebianRoot.section(out, "verify")).contains("weftd.service verified")
                .contains("weftd.service with docker-plugin.conf verified");
        assertThat(DebianRoot.section(out, "doctor")).doesNotContainIgnoringCase("fail");
        assertThat(DebianRoot.section(out, "weftd as the unit runs it")).contains("NETWORK ID").contains("660 root:root /run/weft/weft.sock")
                .contains("weftd exited 0 on SIGTERM");
        assertThat(DebianRoot.section(out, "demo")).contains(" 0% packet loss")
                .contains("nothing left behind");
        assertThat(DebianRoot.section(out, "remove")).contains("removed; /etc/default/weftd kept").contains("purged");
    }

}
