package dev.weft.daemon;

import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.WeftdProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Docker host in a simulated host: weftd as a process serving the plugin protocols on its own
 * socket, and a real dockerd (Debian's docker.io, vfs storage) with its own data root, exec root,
 * pid file and API socket, in its own mount namespace where that socket's directory is bind-mounted
 * on /run/docker/plugins, so that each dockerd finds its own host's weftd as plugin "weft" and
 * no other dockerd is disturbed. The mount point /run/docker/plugins must exist ({@link #pluginDirs}).
 */
public final class DockerHost implements AutoCloseable {
    static final Path DOCKERD = Path.of("/usr/sbin/dockerd");
    static final Path DOCKER = Path.of("/usr/bin/docker");
    static final Path BUSYBOX = Path.of("/bin/busybox");
    static final Path PLUGINS = Path.of("/run/docker/plugins");
    public static final String IMAGE = "wtbusy:1";
    private final SimulatedHost host;
    private final Path dir;
    private final WeftdProcess weftd;
    private Process dockerd;
    private List<String> dockerdArgs = List.of();

    /** What a docker command printed (stdout and stderr) and its exit code. */
    public record Result(int exit, String output) {
    }

    private DockerHost(SimulatedHost host, Path dir, WeftdProcess weftd) {
        this.host = host;
        this.dir = dir;
        this.weftd = weftd;
    }

    /** Whether this machine has what a Docker host needs. */
    public static boolean available() {
        return Files.isExecutable(DOCKERD) && Files.isExecutable(DOCKER) && Files.isExecutable(BUSYBOX);
    }

    /** Creates the mount point /run/docker/plugins (and /run/docker) where missing; returns what it made, deepest first. */
    public static List<Path> pluginDirs() throws IOException {
        List<Path> made = new ArrayList<>();
        for (Path p : List.of(PLUGINS.getParent(), PLUGINS)) {
            if (!Files.exists(p)) {
                Files.createDirectory(p);
                made.addFirst(p);
            }
        }
        return made;
    }

    /**
     * Starts weftd (with {@code weftdArgs}) and dockerd (with {@code dockerdArgs}) in {@code host},
     * their files under {@code dir}, and imports the busybox image.
     */
    static DockerHost start(SimulatedHost host, Path dir, List<String> weftdArgs, List<String> dockerdArgs) throws Exception {
        Path plugins = dir.resolve("plugins");
        Files.createDirectories(plugins);
        List<String> args = new ArrayList<>(List.of("--plugin-socket", plugins.resolve("weft.sock").toString()));
        args.addAll(weftdArgs);
        DockerHost d = new DockerHost(host, dir, WeftdProcess.start(host, dir.resolve("weft"), args.toArray(String[]::new)));
        try {
            d.startDockerd(dockerdArgs);
            d.importImage();
            return d;
        } catch (Exception | AssertionError e) {
            d.close();
            throw e;
        }
    }

    /** Stops dockerd (SIGTERM, as systemd does) and starts it again with the same arguments. */
    void restartDockerd() throws Exception {
        stopDockerd();
        startDockerd(dockerdArgs);
    }

    private void stopDockerd() throws InterruptedException {
        dockerd.destroy(); // SIGTERM: dockerd stops its containers and its containerd
        if (!dockerd.waitFor(30, TimeUnit.SECONDS)) {
            dockerd.destroyForcibly().waitFor();
        }
    }

    /**
     * Starts dockerd alone in {@code host}, its files under {@code dir}, and imports the busybox image;
     * its /run/docker/plugins is {@code dir/plugins}, for a plugin the caller runs (such as weftd's image).
     */
    public static DockerHost startWithoutWeftd(SimulatedHost host, Path dir) throws Exception {
        Files.createDirectories(dir.resolve("plugins"));
        DockerHost d = new DockerHost(host, dir, null);
        try {
            d.startDockerd(List.of());
            d.importImage();
            return d;
        } catch (Exception | AssertionError e) {
            d.close();
            throw e;
        }
    }

    private void startDockerd(List<String> extra) throws Exception {
        dockerdArgs = List.copyOf(extra);
        Path config = dir.resolve("daemon.json"); // its identity key here, not in /etc/docker/key.json
        Files.writeString(config, "{\"deprecated-key-path\": \"" + dir.resolve("key.json") + "\"}");
        List<String> cmd = new ArrayList<>(List.of(DOCKERD.toString(), "--storage-driver", "vfs",
                "--data-root", dir.resolve("docker").toString(), "--exec-root", dir.resolve("x").toString(),
                "--pidfile", dir.resolve("dockerd.pid").toString(), "-H", "unix://" + socket(),
                "--bridge", "none", "--iptables=false", "--ip6tables=false", "--config-file", config.toString()));
        cmd.addAll(extra);
        String script = "mount --bind \"$0\" " + PLUGINS + " && exec \"$@\"";
        List<String> argv = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                dir.resolve("plugins").toString()));
        argv.addAll(cmd);
        dockerd = new ProcessBuilder(host.command(argv.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dockerd.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (docker(10, "version").exit() != 0) {
            assertThat(dockerd.isAlive()).as("dockerd died: " + log()).isTrue();
            assertThat(System.nanoTime()).as("dockerd did not answer within 60 s: " + log()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    public Path socket() {
        return dir.resolve("docker.sock");
    }

    WeftdProcess weftd() {
        return weftd;
    }

    public SimulatedHost host() {
        return host;
    }

    private Result docker(int timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(DOCKER.toString(), "-H", "unix://" + socket()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Result(-1, "timed out: " + String.join(" ", args));
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Runs {@code docker ARGS}; fails the test, with both daemons' logs, unless it exits 0. Returns its output. */
    public String ok(String... args) throws Exception {
        Result r = docker(90, args);
        assertThat(r.exit()).as("docker " + String.join(" ", args) + ": " + r.output() + "\n" + log()).isZero();
        return r.output().trim();
    }

    /** Runs {@code docker ARGS}, whatever its exit code. */
    public Result run(String... args) throws Exception {
        return docker(90, args);
    }

    /** Whether {@code docker ARGS} exits 0. */
    public boolean succeeds(String... args) throws Exception {
        return run(args).exit() == 0;
    }

    /** The address of {@code container} on {@code network}. */
    public String address(String container, String network) throws Exception {
        return ok("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", container);
    }

    /** The tails of dockerd's and weftd's logs. */
    public String log() {
        String docker;
        try {
            docker = Files.readString(dir.resolve("dockerd.log"));
        } catch (IOException e) {
            docker = "(no dockerd log: " + e.getMessage() + ")";
        }
        String weft = weftd == null ? "(not started by DockerHost)" : weftd.log();
        return "dockerd: " + docker.substring(Math.max(0, docker.length() - 3000))
                + "\nweftd: " + weft.substring(Math.max(0, weft.length() - 3000));
    }

    /** An image of busybox-static as /bin/busybox with sh, ping, httpd and a few more tools linked to it. */
    private void importImage() throws Exception {
        Path root = dir.resolve("image");
        Files.createDirectories(root.resolve("bin"));
        Files.copy(BUSYBOX, root.resolve("bin/busybox"));
        for (String tool : List.of("sh", "ping", "sleep", "ip", "nslookup", "cat", "mkdir", "httpd", "wget")) {
            Files.createSymbolicLink(root.resolve("bin").resolve(tool), Path.of("busybox"));
        }
        Path tar = dir.resolve("image.tar");
        assertThat(new ProcessBuilder("tar", "-C", root.toString(), "-cf", tar.toString(), ".").inheritIO().start().waitFor())
                .isZero();
        ok("import", tar.toString(), IMAGE);
    }

    /** Removes every container, stops dockerd (SIGTERM, then SIGKILL) and then weftd. */
    @Override
    public void close() throws Exception {
        try {
            if (dockerd != null && dockerd.isAlive()) {
                Result ps = docker(30, "ps", "-aq");
                if (ps.exit() == 0 && !ps.output().isBlank()) {
                    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                    rm.addAll(List.of(ps.output().trim().split("\\s+")));
                    docker(60, rm.toArray(String[]::new));
                }
                stopDockerd();
            }
        } finally {
            if (weftd != null) {
                weftd.close();
            }
        }
    }
}
