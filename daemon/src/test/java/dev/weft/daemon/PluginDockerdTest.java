package dev.weft.daemon;

import dev.weft.linux.TestNamespaces;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.RunDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real dockerd (Debian's docker.io) using weftd as its network and IPAM plugin, both in a
 * throwaway host namespace: {@code docker network create -d PLUGIN --ipam-driver PLUGIN}, two
 * containers of a busybox image that ping each other, a weftd restart under a running
 * container, {@code docker network rm}. Skipped where dockerd or busybox-static is missing.
 */
class PluginDockerdTest {
    private static final Path DOCKERD = Path.of("/usr/sbin/dockerd");
    private static final Path DOCKER = Path.of("/usr/bin/docker");
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final Path PLUGINS = Path.of("/run/docker/plugins");
    private final TestNamespaces namespaces = new TestNamespaces();
    private final RunDir runDir = new RunDir();
    private final List<Path> madeDirs = new ArrayList<>();
    private Netns hostNs;
    private String plugin;
    private Weftd weftd;
    private Process dockerd;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(DOCKERD) && Files.isExecutable(DOCKER) && Files.isExecutable(BUSYBOX),
                "needs docker.io and busybox-static");
        hostNs = namespaces.create("dk");
        plugin = hostNs.name();
        for (Path p : List.of(PLUGINS.getParent(), PLUGINS)) {
            if (!Files.exists(p)) {
                Files.createDirectory(p);
                madeDirs.addFirst(p);
            }
        }
        startWeftd();
        Path d = runDir.path();
        Path config = d.resolve("daemon.json"); // its identity key there, not in /etc/docker/key.json
        Files.writeString(config, "{\"deprecated-key-path\": \"" + d.resolve("key.json") + "\"}");
        dockerd = new ProcessBuilder("nsenter", "--net=" + hostNs.path(), DOCKERD.toString(), "--storage-driver", "vfs",
                "--data-root", d.resolve("docker").toString(), "--exec-root", d.resolve("x").toString(),
                "--pidfile", d.resolve("dockerd.pid").toString(), "-H", "unix://" + d.resolve("docker.sock"),
                "--bridge", "none", "--iptables=false", "--ip6tables=false",
                "--config-file", config.toString())
                .redirectErrorStream(true).redirectOutput(d.resolve("dockerd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (docker(10, "version").exit() != 0) {
            assertThat(dockerd.isAlive()).as("dockerd died: " + log()).isTrue();
            assertThat(System.nanoTime()).as("dockerd did not answer within 60 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private void startWeftd() throws IOException {
        Path resolv = runDir.path().resolve("host-resolv.conf");
        Files.writeString(resolv, "");
        weftd = Weftd.start(new WeftdOptions(runDir.path().resolve("weft.sock"), runDir.path().resolve("data"),
                runDir.path().resolve("run"), "info", resolv).withPluginSocket(PLUGINS.resolve(plugin + ".sock")), hostNs);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (dockerd != null) {
                docker(30, "rm", "-f", "wtpa", "wtpb");
                dockerd.destroy(); // SIGTERM: dockerd stops its containers and its containerd
                if (!dockerd.waitFor(30, TimeUnit.SECONDS)) {
                    dockerd.destroyForcibly().waitFor();
                }
            }
        } finally {
            if (weftd != null) {
                weftd.close();
            }
            for (Path p : madeDirs) {
                Files.deleteIfExists(p);
            }
            runDir.close();
            namespaces.close();
        }
    }

    private record Result(int exit, String output) {
    }

    private Result docker(int timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(DOCKER.toString(), "-H", "unix://" + runDir.path().resolve("docker.sock")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Result(-1, "timed out: " + String.join(" ", args));
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private String ok(String... args) throws Exception {
        Result r = docker(60, args);
        assertThat(r.exit()).as("docker " + String.join(" ", args) + ": " + r.output() + "\n" + log()).isZero();
        return r.output().trim();
    }

    private String log() throws IOException {
        String s = Files.readString(runDir.path().resolve("dockerd.log"));
        return s.substring(Math.max(0, s.length() - 3000));
    }

    /** An image of busybox-static as /bin/busybox with sh, ping, sleep and ip linked to it. */
    private void importImage() throws Exception {
        Path root = runDir.path().resolve("image");
        Files.createDirectories(root.resolve("bin"));
        Files.copy(BUSYBOX, root.resolve("bin/busybox"));
        for (String tool : List.of("sh", "ping", "sleep", "ip")) {
            Files.createSymbolicLink(root.resolve("bin").resolve(tool), Path.of("busybox"));
        }
        Path tar = runDir.path().resolve("image.tar");
        assertThat(new ProcessBuilder("tar", "-C", root.toString(), "-cf", tar.toString(), ".").inheritIO().start().waitFor())
                .isZero();
        ok("import", tar.toString(), "wtbusy:1");
    }

    private List<String> pluginLinks() {
        try (Rtnetlink r = Rtnetlink.open(hostNs)) {
            return r.links().list().stream().map(Link::name).filter(n -> n.startsWith("wdh") || n.startsWith("wb-")).toList();
        }
    }

    @Test
    void dockerRunsContainersOnAWeftNetwork() throws Exception {
        importImage();
        ok("network", "create", "-d", plugin, "--ipam-driver", plugin, "--subnet", "192.0.2.0/24", "wtnet");
        assertThat(weftd.controller().networks()).hasSize(1);
        ok("run", "-d", "--name", "wtpa", "--net", "wtnet", "wtbusy:1", "/bin/sleep", "600");
        assertThat(pluginLinks()).hasSize(2); // the bridge and wtpa's veth
        assertThat(ok("run", "--rm", "--net", "wtnet", "wtbusy:1", "/bin/ping", "-c", "1", "-W", "2", "192.0.2.2"))
                .contains("1 packets received");

        weftd.close(); // the plugin restarts under a running container
        weftd = null;
        startWeftd();
        assertThat(ok("run", "--rm", "--net", "wtnet", "wtbusy:1", "/bin/sh", "-c", "ip -4 addr show eth0; ping -c 1 -W 2 192.0.2.2"))
                .contains("inet 192.0.2.3/24", "1 packets received");

        ok("rm", "-f", "wtpa");
        ok("network", "rm", "wtnet");
        assertThat(weftd.controller().networks()).isEmpty();
        assertThat(pluginLinks()).isEmpty();
        assertThat(weftd.controller().ipam().pools("DockerLocal")).isEmpty();
    }
}
