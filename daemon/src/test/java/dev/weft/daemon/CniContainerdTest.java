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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * containerd 1.6 (Debian's, from docker.io) wiring containers through weft's CNI plugin with
 * {@code ctr run --cni}, in a {@link CniRuntimeHost}: a private containerd (own root, state,
 * socket), containers from a busybox root file system; two containers of one network ping each
 * other, a container of another network does not reach them, a bad configuration fails the run
 * with the specification's error and changes nothing, and when the containers are gone (ctr's
 * DEL) no interface is left; the networks' removal leaves nothing at all.
 */
class CniContainerdTest {
    private static final Path CONTAINERD = Path.of("/usr/bin/containerd");
    private static final Path CTR = Path.of("/usr/bin/ctr");
    private static final Pattern ADDRESS = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/");
    private final RunDir dir = new RunDir();
    private List<Path> madeDirs = List.of();
    private SimulatedHosts hosts;
    private CniRuntimeHost host;
    private Process containerd;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(CniShim.built() && Files.isExecutable(CONTAINERD) && Files.isExecutable(CTR)
                && Files.isExecutable(DockerHost.BUSYBOX) && Files.isDirectory(CniRuntimeHost.REFERENCE_PLUGINS),
                "needs containerd, busybox-static and containernetworking-plugins");
        madeDirs = CniRuntimeHost.mountPoints();
        hosts = SimulatedHosts.create(1);
        host = CniRuntimeHost.start(hosts.get(0), dir.path());
        Path config = dir.path().resolve("containerd.toml");
        Files.writeString(config, "version = 2\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n");
        containerd = host.spawn("containerd.log", CONTAINERD.toString(), "--config", config.toString(),
                "--root", dir.path().resolve("ctrd-root").toString(), "--state", dir.path().resolve("ctrd-state").toString(),
                "--address", socket().toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ctr(10, "version").exit() != 0) {
            assertThat(containerd.isAlive()).as("containerd died: " + log()).isTrue();
            assertThat(System.nanoTime()).as("containerd did not answer: " + log()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (containerd != null) {
                removeContainers(); // a run that failed leaves its container and shim behind
                containerd.destroy();
                if (!containerd.waitFor(20, TimeUnit.SECONDS)) {
                    containerd.destroyForcibly().waitFor();
                }
            }
        } finally {
            if (host != null) {
                host.close();
            }
            if (hosts != null) {
                hosts.close();
            }
            CniRuntimeHost.removeMountPoints(madeDirs);
            dir.close();
        }
    }

    private void removeContainers() throws Exception {
        CniRuntimeHost.Result list = ctr(30, "containers", "ls", "-q");
        for (String id : list.output().trim().split("\\s+")) {
            if (!id.isBlank() && list.exit() == 0) {
                ctr(30, "tasks", "rm", "-f", id);
                ctr(30, "containers", "rm", id);
            }
        }
    }

    private Path socket() {
        return dir.path().resolve("containerd.sock");
    }

    private String log() {
        try {
            return Files.readString(dir.path().resolve("containerd.log")) + "\nweftd: " + host.weftd().log();
        } catch (Exception e) {
            return e.getMessage();
        }
    }

    private CniRuntimeHost.Result ctr(int seconds, String... args) throws Exception {
        String[] argv = new String[args.length + 3];
        argv[0] = CTR.toString();
        argv[1] = "-a";
        argv[2] = socket().toString();
        System.arraycopy(args, 0, argv, 3, args.length);
        return host.run(seconds, argv);
    }

    /** {@code ctr run --rm --cni} of a busybox container running {@code script}. */
    private CniRuntimeHost.Result runContainer(String id, String script) throws Exception {
        return ctr(60, "run", "--rm", "--cni", "--rootfs", host.rootfs(id).toString(), id, "/bin/sh", "-c", script);
    }

    private void network(String name, String subnet) throws Exception {
        try (var files = Files.list(host.confDir())) {
            for (Path f : files.toList()) {
                Files.delete(f); // ctr uses the first configuration only
            }
        }
        host.conflist(host.confDir(), name, "{\"type\":\"weft\",\"subnet\":\"" + subnet + "\"}");
    }

    private List<String> weftLinks() {
        try (Rtnetlink r = host.host().rtnetlink()) {
            return r.links().list().stream().map(Link::name).filter(n -> n.startsWith("w")).toList();
        }
    }

    @Test
    void containersOfOneNetworkPingAndAnotherNetworkIsApart() throws Exception {
        network("wtcra", "198.51.100.0/24");
        Path root1 = host.rootfs("wtc1");
        Process c1 = host.spawn("c1.log", CTR.toString(), "-a", socket().toString(), "run", "--rm", "--cni", "--rootfs",
                root1.toString(), "wtc1", "/bin/sh", "-c", "ip -4 -o addr show eth0; while ! test -e /stop; do sleep 0.1; done");
        String a1 = null;
        for (int i = 0; i < 300 && a1 == null; i++) {
            Matcher m = ADDRESS.matcher(Files.readString(dir.path().resolve("c1.log")));
            a1 = m.find() ? m.group(1) : null;
            assertThat(a1 != null || c1.isAlive()).as("c1 ended: " + Files.readString(dir.path().resolve("c1.log")) + log()).isTrue();
            Thread.sleep(100);
        }
        assertThat(a1).as("c1's address").startsWith("198.51.100.");
        CniRuntimeHost.Result same = runContainer("wtc2", "ip -4 -o addr show eth0; ping -c 1 -W 2 " + a1);
        assertThat(same.exit()).as(same.output() + log()).isZero();
        assertThat(same.output()).contains("inet 198.51.100.").contains("1 packets received");

        network("wtcrb", "203.0.113.0/24");
        CniRuntimeHost.Result other = runContainer("wtc3", "ip -4 -o addr show eth0; ping -c 1 -W 2 " + a1);
        assertThat(other.output()).contains("inet 203.0.113.");
        assertThat(other.exit()).as("another network does not reach c1: " + other.output()).isNotZero();

        Files.createFile(root1.resolve("stop"));
        assertThat(c1.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(c1.exitValue()).as(Files.readString(dir.path().resolve("c1.log"))).isZero();
        assertThat(weftLinks()).as("only the networks' bridges are left").allMatch(n -> !n.startsWith("wv"));
        try (ApiClient api = new ApiClient(host.weftd().socket())) {
            assertThat(api.call("GET", "/v1/sandboxes", null).body().size()).isZero();
            for (String n : List.of("wtcra", "wtcrb")) {
                assertThat(api.call("DELETE", "/v1/networks/" + n, null).status()).isEqualTo(204);
            }
        }
        assertThat(weftLinks()).isEmpty();
    }

    @Test
    void aBadConfigurationFailsTheRunAndChangesNothing() throws Exception {
        network("wtcrbad", "not-a-subnet");
        CniRuntimeHost.Result r = runContainer("wtcbad", "true");
        assertThat(r.exit()).as(r.output()).isNotZero();
        assertThat(r.output()).as(r.output()).contains("invalid network configuration").contains("not-a-subnet");
        assertThat(weftLinks()).isEmpty();
        try (ApiClient api = new ApiClient(host.weftd().socket())) {
            assertThat(api.call("GET", "/v1/networks", null).body().size()).isZero();
            assertThat(api.call("GET", "/v1/sandboxes", null).body().size()).isZero();
        }
    }
}
