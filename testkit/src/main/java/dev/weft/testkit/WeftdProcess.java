package dev.weft.testkit;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * weftd as a process of its own inside a simulated host, for tests that kill and restart it:
 * its socket, data and run directories live under one test directory, so a restart finds the
 * state the previous process left. Its output goes to {@code weftd.log} in that directory.
 */
public final class WeftdProcess implements AutoCloseable {
    private static final String MAIN = "dev.weft.daemon.WeftdMain";
    private final SimulatedHost host;
    private final Path dir;
    private final Path socket;
    private final List<String> extraArgs;
    private Process process;

    private final List<String> launcher;
    private final Map<String, String> env;

    private WeftdProcess(SimulatedHost host, Path dir, String socketName, List<String> extraArgs, List<String> launcher,
                         Map<String, String> env) {
        this.host = host;
        this.dir = dir;
        this.socket = dir.resolve(socketName);
        this.extraArgs = List.copyOf(extraArgs);
        this.launcher = launcher == null ? null : List.copyOf(launcher);
        this.env = Map.copyOf(env);
    }

    /**
     * Starts weftd with the command line {@code launcher} puts in front of it (such as {@code nsenter -t
     * PID --net --mount}, to run it in a test's own mount namespace) instead of entering {@code host}'s
     * network namespace, and waits until it answers.
     */
    public static WeftdProcess start(SimulatedHost host, List<String> launcher, Path dir, String... extraArgs) {
        WeftdProcess w = new WeftdProcess(host, dir, "weft.sock", List.of(extraArgs), launcher, Map.of());
        w.restart();
        return w;
    }

    /** Starts weftd in {@code host} with its files in {@code dir} and waits until it answers. */
    public static WeftdProcess start(SimulatedHost host, Path dir, String... extraArgs) {
        return start(host, dir, Map.of(), extraArgs);
    }

    /** As {@link #start(SimulatedHost, Path, String...)}, with {@code env} added to weftd's environment. */
    public static WeftdProcess start(SimulatedHost host, Path dir, Map<String, String> env, String... extraArgs) {
        WeftdProcess w = new WeftdProcess(host, dir, "weft.sock", List.of(extraArgs), null, env);
        w.restart();
        return w;
    }

    /**
     * Starts weftd in {@code host} sharing global networks through the store at {@code storeUrl}
     * ({@code --kv-store}), advertising the address of the host's eth0, its underlay; {@code extraArgs} follow.
     */
    public static WeftdProcess sharing(SimulatedHost host, Path dir, String storeUrl, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--kv-store", storeUrl, "--bind-interface", "eth0"));
        args.addAll(List.of(extraArgs));
        return start(host, dir, args.toArray(String[]::new));
    }

    /** Starts a weftd on the same directories but another socket, without waiting for it. */
    public static Process startSecond(SimulatedHost host, Path dir, String socketName) {
        return new WeftdProcess(host, dir, socketName, List.of(), null, Map.of()).launch();
    }

    public Path socket() {
        return socket;
    }

    public Process process() {
        return process;
    }

    /** Starts it again (after {@link #kill()} or {@link #terminate()}) and waits until it answers. */
    public void restart() {
        process = launch();
        awaitReady();
    }

    private Process launch() {
        List<String> args = new ArrayList<>(List.of("-H", "unix://" + socket, "--data-dir", dir.resolve("data").toString(),
                "--run-dir", dir.resolve("run").toString()));
        args.addAll(extraArgs);
        try {
            Files.createDirectories(dir);
            List<String> java = JavaMain.command(MAIN, args);
            List<String> argv = launcher == null ? host.command(java.toArray(String[]::new)) : new ArrayList<>(launcher);
            if (launcher != null) {
                argv.addAll(java);
            }
            ProcessBuilder pb = new ProcessBuilder(argv)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("weftd.log").toFile()));
            pb.environment().putAll(env);
            return pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start weftd in " + host.name(), e);
        }
    }

    /** What weftd has written so far (all runs). */
    public String log() {
        try {
            return Files.readString(dir.resolve("weftd.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Up to 90 s: a weftd restarted on a loaded machine may wait for its store's first answer (--kv-wait). */
    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("weftd exited with " + process.exitValue() + ": " + log());
            }
            if (answersPing()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for weftd", e);
            }
        }
        throw new IllegalStateException("weftd did not answer on " + socket + " within 90 s: " + log());
    }

    /** Whether GET /v1/_ping answers 200 (a killed predecessor may have left the socket file). */
    private boolean answersPing() {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("GET /v1/_ping HTTP/1.1\r\nHost: weft\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(64);
            while (in.position() < 12 && ch.read(in) >= 0) {
                // the status line is enough
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL: the process dies at once, as in a crash. */
    public void kill() {
        stop(process.destroyForcibly());
    }

    /** SIGTERM: a clean stop; returns the exit code. */
    public int terminate() {
        process.destroy();
        stop(process);
        return process.exitValue();
    }

    private static void stop(Process p) {
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills it if it still runs, so no daemon outlives its namespace. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
