package dev.weft.store.etcd;

import dev.weft.store.StoreUrl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-member etcd server for tests: /usr/bin/etcd (Debian package etcd-server, installed
 * by scripts/setup-debian) on 127.0.0.1, with free client and peer ports and a temporary data
 * directory. {@link #restart()} kills it and starts it again on the same ports and data, as a
 * crash would; {@link #close()} stops it and deletes the directory. A JVM shutdown hook kills it
 * too, should a test run end without closing it.
 */
final class EtcdServer implements AutoCloseable {
    private static final Path ETCD = Path.of("/usr/bin/etcd");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final int clientPort;
    private final int peerPort;
    private final Thread killer;
    private volatile Process process;

    private EtcdServer(Path dir, int clientPort, int peerPort) {
        this.dir = dir;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.killer = new Thread(() -> {
            Process p = process;
            if (p != null) {
                p.destroyForcibly();
            }
        });
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** Starts a new server and waits until it reports itself healthy. */
    static EtcdServer start() {
        if (!Files.isExecutable(ETCD)) {
            throw new IllegalStateException(ETCD + " is missing: install the Debian package etcd-server"
                    + " (scripts/setup-debian does)");
        }
        try {
            EtcdServer server = new EtcdServer(Files.createTempDirectory("weft-etcd-test"), freePort(), freePort());
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A local port with nothing listening on it (at the time of asking). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    int clientPort() {
        return clientPort;
    }

    /** The store address of this server, with {@code prefix}. */
    StoreUrl url(String prefix) {
        return StoreUrl.parse("etcd://127.0.0.1:" + clientPort + "/" + prefix);
    }

    /** Kills the server (no clean shutdown) and starts it again on the same ports and data. */
    void restart() throws InterruptedException {
        process.destroyForcibly().waitFor();
        launch();
    }

    private void launch() {
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = List.of(ETCD.toString(),
                "--name", "weft-test", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "weft-test=" + peer, "--initial-cluster-state", "new",
                "--logger", "zap", "--log-outputs", "stderr");
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile())).start();
            awaitHealthy(client);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + ETCD, e);
        }
    }

    private void awaitHealthy(String client) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            HttpRequest health = HttpRequest.newBuilder(URI.create(client + "/health")).timeout(Duration.ofSeconds(2)).build();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("etcd exited with " + process.exitValue() + "; see " + dir.resolve("etcd.log"));
                }
                try {
                    if (http.send(health, HttpResponse.BodyHandlers.ofString()).body().contains("\"true\"")) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("etcd on port " + clientPort + " not healthy within " + START_TIMEOUT
                + "; log:\n" + Files.readString(dir.resolve("etcd.log")));
    }

    /** Stops the server and deletes its data. */
    @Override
    public void close() throws IOException, InterruptedException {
        Process p = process;
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        Runtime.getRuntime().removeShutdownHook(killer);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
