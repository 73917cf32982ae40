package dev.weft.store.zookeeper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real standalone ZooKeeper server for tests, from Debian's {@code zookeeper} package (its jar
 * names its dependencies in its manifest, so the jar alone is the class path), run by this JVM's
 * java on 127.0.0.1, a free port and a temporary data directory. It can be stopped and started
 * again on the same port and data, as a restarted server.
 */
final class ZkServer implements AutoCloseable {
    static final Path JAR = Path.of("/usr/share/java/zookeeper.jar");
    private static final long READY_TIMEOUT_MS = 30_000;

    private final Path dir;
    private final int port;
    private Process process;

    private ZkServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Starts a server on a free port in a new temporary directory. */
    static ZkServer start() throws IOException {
        if (!Files.isReadable(JAR)) {
            throw new IllegalStateException(JAR + " is missing: install Debian's zookeeper package (scripts/setup-debian)");
        }
        Path dir = Files.createTempDirectory("weft-zk-test");
        ZkServer server = new ZkServer(dir, freePort());
        Files.writeString(dir.resolve("zoo.cfg"), String.join("\n",
                "tickTime=500",
                "dataDir=" + dir.resolve("data"),
                "clientPort=" + server.port,
                "clientPortAddress=127.0.0.1",
                "admin.enableServer=false",
                "forceSync=no",
                "maxClientCnxns=0", ""));
        server.startAgain();
        return server;
    }

    int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** Starts the server process (again, after {@link #stop}) and waits until it answers. */
    void startAgain() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-Xmx256m", "-cp", JAR.toString(),
                "org.apache.zookeeper.server.ZooKeeperServerMain", dir.resolve("zoo.cfg").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
                .start();
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        while (!answers()) {
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                String log = Files.readString(dir.resolve("server.log"));
                stop();
                throw new IllegalStateException("ZooKeeper did not start on " + address() + ":\n" + log);
            }
            sleep(100);
        }
    }

    /** Whether a server answers the "srvr" command on the port. */
    private boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).contains("Mode:");
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the server process, keeping its data. */
    void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** Stops the server and deletes its directory. */
    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TCP port nothing listens on now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
