package dev.weft.daemon;

import dev.weft.testkit.OpenVswitch;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.weft.daemon.LorisProcess.loris;
import static org.assertj.core.api.Assertions.assertThat;

/** loris connects a Docker container by name through a real dockerd's Engine API (--docker-host). Skipped without docker.io. */
class LorisDockerTest extends DockerdTestCase {

    @Test
    void aDockerContainerByName() throws Exception {
        try (SimulatedHosts hosts = SimulatedHosts.create(1);
             DockerHost docker = DockerHost.start(hosts.get(0), runDir.path(), List.of(), List.of());
             OpenVswitch ovs = OpenVswitch.start(hosts.get(0), true)) {
            SimulatedHost h = hosts.get(0);
            loris(h, ovs, "init");
            docker.ok("run", "-d", "--name", "wtlo", "--net", "none", DockerHost.IMAGE, "sleep", "600");
            String dockerHost = "unix://" + docker.socket();
            assertThat(loris(h, ovs, "--docker-host", dockerHost, "connect", "wtlo", "198.51.100.41/24", "3"))
                    .startsWith("wtlo eth1 pod 3 198.51.100.41/24");
            assertThat(docker.ok("exec", "wtlo", "ip", "addr", "show", "eth1")).contains("198.51.100.41/24");
            assertThat(loris(h, ovs, "--docker-host", dockerHost, "disconnect", "wtlo")).contains("removed lv");
            assertThat(docker.ok("exec", "wtlo", "ip", "link")).doesNotContain("eth1");
            docker.ok("rm", "-f", "wtlo");
            loris(h, ovs, "cleanup");
        }
    }
}
