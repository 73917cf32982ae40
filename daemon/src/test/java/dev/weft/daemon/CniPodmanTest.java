package dev.weft.daemon;

import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * podman 4.3 (Debian's) with its CNI backend using weft's plugin, in a {@link CniRuntimeHost}: a
 * private containers.conf ({@code network_backend = "cni"}, the test's plugin and configuration
 * directories, nofile and nproc pinned for runc), its own storage (vfs) and run directories, and
 * containers from a busybox root file system. Two containers of one network ping each other, one
 * of another network does not reach them, a chained portmap publishes a port through weft's
 * result, and {@code podman rm} and {@code podman network rm} (then the weft network's removal)
 * leave nothing.
 */
class CniPodmanTest {
    private static final Path PODMAN = Path.of("/usr/bin/podman");
    private final RunDir dir = new RunDir();
    private List<Path> madeDirs = List.of();
    private SimulatedHosts hosts;
    private CniRuntimeHost host;
    private Path networks;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(CniShim.built() && Files.isExecutable(PODMAN) && Files.isExecutable(DockerHost.BUSYBOX)
                && Files.isDirectory(CniRuntimeHost.REFERENCE_PLUGINS), "needs podman, busybox-static and containernetworking-plugins");
        madeDirs = CniRuntimeHost.mountPoints();
        hosts = SimulatedHosts.create(1);
        host = CniRuntimeHost.start(hosts.get(0), dir.path());
        networks = Files.createDirectories(dir.path().resolve("podman-networks"));
        Files.writeString(dir.path().resolve("containers.conf"), """
                [containers]
                default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
                [network]
                network_backend = "cni"
                cni_plugin_dirs = ["%s"]
                network_config_dir = "%s"
                [engine]
                cgroup_manager = "cgroupfs"
                events_logger = "none"
                runtime = "runc"
                tmp_dir = "%s"
                """.formatted(host.binDir(), networks, dir.path().resolve("libpod-tmp")));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (host != null) {
                podman(60, "rm", "-a", "-f");
                host.close();
            }
        } finally {
            if (hosts != null) {
                hosts.close();
            }
            CniRuntimeHost.removeMountPoints(madeDirs);
            dir.close();
        }
    }

    private CniRuntimeHost.Result podman(int seconds, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("env", "CONTAINERS_CONF=" + dir.path().resolve("containers.conf"),
                PODMAN.toString(), "--root", dir.path().resolve("storage").toString(), "--runroot",
                dir.path().resolve("runroot").toString(), "--storage-driver", "vfs"));
        argv.addAll(List.of(args));
        return host.run(seconds, argv.toArray(String[]::new));
    }

    private String ok(String... args) throws Exception {
        CniRuntimeHost.Result r = podman(120, args);
        assertThat(r.exit()).as("podman " + String.join(" ", args) + ": " + r.output() + "\nweftd: " + host.weftd().log()).isZero();
        return r.output().trim();
    }

    private List<String> weftLinks() {
        try (Rtnetlink r = host.host().rtnetlink()) {
            return r.links().list().stream().map(Link::name).filter(n -> n.startsWith("w")).toList();
        }
    }

    @Test
    void podmanContainersOnWeftNetworks() throws Exception {
        host.conflist(networks, "wtcpa", "{\"type\":\"weft\",\"subnet\":\"198.51.100.0/24\"}",
                "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}");
        host.conflist(networks, "wtcpb", "{\"type\":\"weft\",\"subnet\":\"203.0.113.0/24\"}");
        assertThat(ok("network", "ls", "--format", "{{.Name}}")).contains("wtcpa").contains("wtcpb");
        String root1 = host.rootfs("p1").toString();
        ok("run", "-d", "--name", "wtp1", "--network", "wtcpa", "-p", "8080:80", "--rootfs", root1,
                "/bin/sh", "-c", "echo hello > /tmp/index.html; exec busybox httpd -f -p 80 -h /tmp");
        String a1 = ok("inspect", "-f", "{{(index .NetworkSettings.Networks \"wtcpa\").IPAddress}}", "wtp1");
        assertThat(a1).startsWith("198.51.100.");
        String same = ok("run", "--rm", "--network", "wtcpa", "--rootfs", host.rootfs("p2").toString(),
                "/bin/sh", "-c", "ping -c 1 -W 2 " + a1);
        assertThat(same).contains("1 packets received");
        CniRuntimeHost.Result other = podman(120, "run", "--rm", "--network", "wtcpb", "--rootfs", host.rootfs("p3").toString(),
                "/bin/sh", "-c", "ping -c 1 -W 2 " + a1);
        assertThat(other.exit()).as("another network does not reach p1: " + other.output()).isNotZero();
        // portmap, chained after weft, publishes host port 8080 on the address weft's result gave
        CniRuntimeHost.Result published = host.run(30, "sh", "-c", "busybox wget -q -O - http://" + hosts.get(0).address()
                .getHostAddress() + ":8080/index.html");
        assertThat(published.output()).as(published.output()).contains("hello");

        String rm = ok("rm", "-f", "wtp1");
        assertThat(weftLinks()).as("only the networks' bridges are left: " + weftLinks() + rm + host.weftd().log()).allMatch(n -> !n.startsWith("wv"));
        ok("network", "rm", "wtcpa", "wtcpb");
        try (ApiClient api = new ApiClient(host.weftd().socket())) {
            assertThat(api.call("GET", "/v1/sandboxes", null).body().size()).isZero();
            for (String n : List.of("wtcpa", "wtcpb")) {
                assertThat(api.call("DELETE", "/v1/networks/" + n, null).status()).isEqualTo(204);
            }
        }
        assertThat(weftLinks()).isEmpty();
    }
}
