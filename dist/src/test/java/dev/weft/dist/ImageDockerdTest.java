package dev.weft.dist;

import dev.weft.daemon.DockerHost;
import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Rtnetlink;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.SimulatedHosts;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

            List<String> run = new ArrayList<>(List.of("run", "-d", "--name", WEFTD));
            run.addAll(privileges());
            run.addAll(List.of("--net=host", "-v", "/run/docker/plugins:/run/docker/plugins",
                    "-v", docker.socket() + ":/var/run/docker.sock", "-v", dir.resolve("weftdata") + ":/var/lib/weft", reference));
            docker.ok(run.toArray(String[]::new));
            Path pluginSocket = dir.resolve("plugins/weft.sock");
            long started = System.nanoTime();
            for (int i = 0; i < 1200 && !Files.exists(pluginSocket); i++) {
                Thread.sleep(100);
            }
            assertThat(pluginSocket).as("weftd's plugin socket after " + (System.nanoTime() - started) / 1_000_000 + " ms; its mounts: "
                    + docker.run("inspect", "-f", "{{json .Mounts}}", WEFTD).output() + "; its log: " + docker.run("logs", WEFTD).output()
                    + "\n" + docker.log()).exists();

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

    /** Linux's capabilities by number (linux/capability.h), as Docker names them. */
    private static final List<String> CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
            "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK",
            "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
            "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE",
            "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE");

    /**
     * {@code --privileged}, as the README runs the image, where this process may hold every capability.
     * Where its bounding set lacks some (a sandboxed CI machine: runc then refuses --privileged with
     * "unable to apply caps"), the same less those: every other capability, no seccomp or AppArmor
     * profile, /proc and /sys unmasked and writable.
     */
    private static List<String> privileges() throws IOException {
        long bounding = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapBnd:"))
                .map(l -> Long.parseUnsignedLong(l.substring("CapBnd:".length()).trim(), 16)).findFirst().orElseThrow();
        // read by lines: Files.readString on this proc file returned only its first byte here
        int last = Math.min(Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).getFirst().trim()),
                CAPABILITIES.size() - 1);
        List<String> flags = new ArrayList<>(List.of("--cap-add", "ALL", "--security-opt", "seccomp=unconfined",
                "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined"));
        for (int cap = 0; cap <= last; cap++) {
            if ((bounding & (1L << cap)) == 0) {
                flags.addAll(List.of("--cap-drop", CAPABILITIES.get(cap)));
            }
        }
        return flags.size() == 8 ? List.of("--privileged") : flags;
    }

    /** The links weft made in {@code host}: bridges and veths. */
    private static List<String> weftLinks(SimulatedHost host) {
        try (Rtnetlink r = host.rtnetlink()) {
            return r.links().list().stream().map(Link::name).filter(n -> n.startsWith("w")).toList();
        }
    }
}
