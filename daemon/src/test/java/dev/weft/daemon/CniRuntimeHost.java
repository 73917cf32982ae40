package dev.weft.daemon;

import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.WeftdProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A simulated host where real container runtimes use weft as their CNI plugin, without changing the
 * machine: a mount namespace of the test's own (held by a sleeping process) in which
 * /etc/cni/net.d, /opt/cni/bin, /var/lib/cni, /run/netns and /run/weft (and the runtimes' state
 * directories /run/containerd, /run/runc and /run/libpod) are the test's directories, weftd
 * running inside it (so it sees the runtimes' namespace mounts), and the plugin directory holding
 * weft's shim as {@code weft} beside Debian's loopback, portmap, bandwidth and host-local. Runtimes
 * and their commands run inside it; weftd's directory is /run/weft there, so the shim finds it at its
 * default socket, /run/weft/weft.sock, also when a runtime's helper (podman's conmon) runs it with
 * an environment of its own. The mount
 * points must exist ({@link #mountPoints}); when the holder ends, its mounts go with it.
 */
final class CniRuntimeHost implements AutoCloseable {
    static final Path REFERENCE_PLUGINS = Path.of("/usr/lib/cni");
    private static final List<Path> MOUNTS = List.of(Path.of("/etc/cni/net.d"), Path.of("/opt/cni/bin"),
            Path.of("/var/lib/cni"), Path.of("/run/netns"), Path.of("/run/weft"),
            Path.of("/run/containerd"), Path.of("/run/runc"), Path.of("/run/libpod"));
    private final SimulatedHost host;
    private final Path dir;
    private final Process holder;
    private WeftdProcess weftd;

    /** What a command printed (stdout and stderr) and its exit code. */
    record Result(int exit, String output) {
    }

    private CniRuntimeHost(SimulatedHost host, Path dir, Process holder) {
        this.host = host;
        this.dir = dir;
        this.holder = holder;
    }

    /** Creates the mount points that are missing; returns what it made, deepest first, for removal after the test. */
    static List<Path> mountPoints() throws IOException {
        List<Path> made = new ArrayList<>();
        for (Path target : MOUNTS) {
            List<Path> chain = new ArrayList<>();
            for (Path p = target; p != null && !Files.exists(p); p = p.getParent()) {
                chain.addFirst(p);
            }
            for (Path p : chain) {
                Files.createDirectory(p);
                made.addFirst(p);
            }
        }
        return made;
    }

    /**
     * Removes the mount points {@link #mountPoints} made, deepest first; one that something else
     * filled meanwhile (dockerd's shims also use /run/containerd) is left to it.
     */
    static void removeMountPoints(List<Path> made) throws IOException {
        for (Path p : made) {
            try {
                Files.deleteIfExists(p);
            } catch (java.nio.file.DirectoryNotEmptyException inUse) {
                // another program's now
            }
        }
    }

    /** Starts the holder and weftd in {@code host}, their files under {@code dir}. */
    static CniRuntimeHost start(SimulatedHost host, Path dir) throws Exception {
        List<String> binds = new ArrayList<>();
        for (Path target : MOUNTS) {
            Path own = dir.resolve(target.getFileName().toString().replace(".", "_"));
            Files.createDirectories(own);
            binds.add("mount --bind " + own + " " + target);
        }
        Path bin = dir.resolve("bin");
        Files.copy(CniShim.BINARY, bin.resolve("weft"));
        for (String plugin : List.of("loopback", "portmap", "bandwidth", "host-local")) {
            Files.copy(REFERENCE_PLUGINS.resolve(plugin), bin.resolve(plugin));
        }
        String script = String.join(" && ", binds) + " && echo ready && exec sleep infinity";
        Process holder = new ProcessBuilder(host.command("unshare", "--mount", "--propagation", "private", "sh", "-c", script))
                .redirectErrorStream(true).start();
        CniRuntimeHost h = new CniRuntimeHost(host, dir, holder);
        try {
            String line = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (!"ready".equals(line)) {
                throw new IllegalStateException("the mount namespace holder did not start: " + line);
            }
            h.weftd = WeftdProcess.start(host, h.enter(), dir.resolve("weft")); // its socket is /run/weft/weft.sock inside
            return h;
        } catch (Exception | AssertionError e) {
            h.close();
            throw e;
        }
    }

    /** The command line prefix that enters this host's network and mount namespaces. */
    List<String> enter() {
        return List.of("nsenter", "-t", Long.toString(holder.pid()), "--net", "--mount");
    }

    Path dir() {
        return dir;
    }

    SimulatedHost host() {
        return host;
    }

    WeftdProcess weftd() {
        return weftd;
    }

    /** The runtimes' CNI configuration directory (/etc/cni/net.d inside). */
    Path confDir() {
        return dir.resolve("net_d");
    }

    /** The plugin directory (/opt/cni/bin inside). */
    Path binDir() {
        return dir.resolve("bin");
    }

    /** Writes {@code NAME.conflist}: one network whose plugin list is {@code plugins} (JSON objects). */
    Path conflist(Path confDir, String name, String... plugins) throws IOException {
        Path f = confDir.resolve(name + ".conflist");
        Files.writeString(f, "{\"cniVersion\":\"1.0.0\",\"name\":\"" + name + "\",\"plugins\":[" + String.join(",", plugins) + "]}");
        return f;
    }

    /** A root file system of busybox-static with a few tools linked to it, for {@code --rootfs}. */
    Path rootfs(String name) throws IOException {
        Path root = dir.resolve("rootfs").resolve(name);
        Files.createDirectories(root.resolve("bin"));
        Files.copy(DockerHost.BUSYBOX, root.resolve("bin/busybox"));
        for (String tool : List.of("sh", "ping", "sleep", "ip", "cat", "touch", "test")) {
            Files.createSymbolicLink(root.resolve("bin").resolve(tool), Path.of("busybox"));
        }
        for (String d : List.of("proc", "sys", "dev", "etc", "tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        return root;
    }

    /** Starts {@code command} inside; its output goes to {@code log} in the host's directory. */
    Process spawn(String log, String... command) throws IOException {
        List<String> argv = new ArrayList<>(enter());
        argv.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
        return pb.start();
    }

    /** Runs {@code command} inside and waits up to {@code seconds}. */
    Result run(int seconds, String... command) throws Exception {
        List<String> argv = new ArrayList<>(enter());
        argv.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Result(-1, "timed out: " + String.join(" ", command) + "\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** Stops weftd, then the holder (its mount namespace, and the mounts in it, go with it). */
    @Override
    public void close() {
        try {
            if (weftd != null) {
                weftd.close();
            }
        } finally {
            holder.destroyForcibly();
            try {
                holder.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
