package dev.weft.dist;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * weftd.service under a real systemd: the .deb installed into a throwaway overlay on the clean
 * Debian 12 root, whose own systemd then boots as PID 1 in namespaces of its own (network
 * included, so this machine's network is left alone). The unit starts weftd at boot, a container
 * runs and answers ping, systemd restarts a SIGKILLed weftd and the container is still there, and
 * removing the package stops the service while the container's process and networking stay.
 */
class SystemdServiceTest {

    @Test
    void theUnitRunsWeftdAndRemovingThePackageStopsItButNotTheContainers() throws Exception {
        String out = DebianRoot.runScript("systemd-in-debian-root.sh");
        assertThat(DebianRoot.section(out, "install")).contains("weft 0.1.0~snapshot install ok installed");
        assertThat(DebianRoot.section(out, "weftd.service")).contains("active").contains("KillMode=process")
                .contains("Restart=on-failure").containsPattern("weftd pid [1-9]");
        assertThat(DebianRoot.section(out, "a container")).contains("c1").contains("1 received");
        assertThat(DebianRoot.section(out, "restart on failure")).contains("weftd restarted by systemd; c1 still listed");
        assertThat(DebianRoot.section(out, "remove")).contains("inactive").contains("no weftd process")
                .contains("weft removed").contains("c1's process still runs").contains("1 received");
    }
}
