package dev.weft.dist;

import dev.weft.daemon.DockerHost;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * weftd's image from scripts/package under Debian's dockerd (20.10, in a simulated host:
 * {@link DockerHost}): {@code docker load} takes the archive, and so does {@code ctr image import}
 * on that dockerd's containerd; weftd runs from it as the Weave plugin runs ({@code --privileged
 * --net=host}, /run/docker/plugins and the Docker socket mounted) and serves that same dockerd as
 * its network and IPAM plugin: a network is created, containers on it reach each other by address
 * and name, and after {@code docker network rm} and {@code docker stop} (SIGTERM, exit 0) no link
 * of weft's is left.
 */
class ImageDockerdTest {
    private static final String WEFTD = "wtpkgweftd";

    @Test
    void weftdFromTheImageIsDockersPlugin() throws Exception {
        assertThat(DockerHost.available()).as("needs docker.io and busybox-static (scripts/setup-debian installs them)").isTrue();
        Path image = Dist.image();
        String reference = "weft/weftd:" + Dist.version();
        List<Path> madeDirs = DockerHost.pluginDirs();
        try (RunDir runDir = new RunDir();
             SimulatedHosts hosts = SimulatedHosts.create(1);
             DockerHost docker = DockerHost.startWithoutWeftd(hosts.get(0), runDir.path().resolve("d"))) {
            Path dir = runDir.path().resolve("d");
            assertThat(docker.ok("load", "-i", image.toString())).contains("Loaded image: " + reference);

            Path containerd = dir.resolve("x/containerd/containerd.sock");
            Dist.Result ctr = Dist.run(dir, 120, "ctr", "--address", containerd.toString(), "--namespace", "wtpkg",
                    "image", "import", image.toString());
            assertThat(ctr.exit()).as("ctr image import: " + ctr.output()).isZero();
            Dist.Result listed = Dist.run(dir, 60, "ctr", "--address", containerd.toString(), "--namespace", "wtpkg", "image", "ls", "-q");
            assertThat(listed.output()).contains("docker.io/" + reference);
            Dist.run(dir, 60, "ctr", "--address", containerd.toString(), "--namespace", "wtpkg", "image", "rm", "docker.io/" + reference);

            docker.ok("run", "-d", "--name", WEFTD, "--privileged", "--net=host", "-v", "/run/docker/plugins:/run/docker/plugins",
                    "-v", docker.socket() + ":/var/run/docker.sock", "-v", dir.resolve("weftdata") + ":/var/lib/weft", reference);
            Path pluginSocket = dir.resolve("plugins/weft.sock");
            for (int i = 0; i < 300 && !Files.exists(pluginSocket); i++) {
                Thread.sleep(100);
            }
            assertThat(pluginSocket).as("weftd's plugin socket; its log: " + docker.run("logs", WEFTD).output()).exists();

            String busybox = DockerHost.IMAGE;
            docker.ok("network", "create", "-d", "weft", "--ipam-driver", "weft", "--subnet", "198.51.100.0/24", "wtpkgnet");
            docker.ok("run", "-d", "--name", "wtpkga", "--net", "wtpkgnet", busybox, "sleep", "600");
            String a = docker.address("wtpkga", "wtpkgnet");
            assertThat(a).startsWith("198.51.100.");
            assertThat(docker.ok("run", "--rm", "--net", "wtpkgnet", busybox, "sh", "-c", "ping -c 1 -W 2 " + a + " && ping -c 1 -W 2 wtpkga"))
                    .as("by address and by name").contains("1 packets received").doesNotContain("bad address");
            assertThat(weftLinks(hosts.get(0))).as("weft's bridge and veth").isNotEmpty();
            docker.ok("rm", "-f", "wtpkga");
            docker.ok("network", "rm", "wtpkgnet");
            assertThat(weftLinks(hosts.get(0))).as("no link left").isEmpty();

            docker.ok("stop", "-t", "30", WEFTD);
            assertThat(docker.ok("inspect", "-f", "{{.State.ExitCode}}", WEFTD)).as("weftd's exit on SIGTERM").isEqualTo("0");
            docker.ok("rm", WEFTD);
            docker.ok("rmi", reference);
        } finally {
            for (Path p : madeDirs) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The links weft made in {@code host}: bridges and veths. */
    private static List<String> weftLinks(SimulatedHost host) {
        try (Rtnetlink r = host.rtnetlink()) {
            return r.links().list().stream().map(Link::name).filter(n -> n.startsWith("w")).toList();
        }
    }
}
