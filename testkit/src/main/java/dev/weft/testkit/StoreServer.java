package dev.weft.testkit;

import dev.weft.net.IpPrefix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd or ZooKeeper server from Debian's packages, running inside a simulated host and
 * listening on its underlay address, as the global store of the weftd processes on the other
 * simulated hosts, or on loopback in the test's own namespace, for stores opened in the test
 * process. Its data and log live in a directory of the test; {@link #stop()} and
 * {@link #start()} make an outage.
 */
public final class StoreServer implements AutoCloseable {
    private static final Path ETCD = Path.of("/usr/bin/etcd");
    private static final Path ZOOKEEPER_JAR = Path.of("/usr/share/java/zookeeper.jar");
    private final SimulatedHost host;
    private final InetAddress address;
    private final Path dir;
    private final int port;
    private final List<String> command;
    private final String scheme;
    private final int clientPort;
    private Process process;

    private StoreServer(SimulatedHost host, Path dir, int port, List<String> command, String scheme) {
        this(host, dir, port, port, command, scheme);
    }

    /** {@code clientPort} is where clients connect; {@code port}, where readiness is probed. */
    private StoreServer(SimulatedHost host, Path dir, int port, int clientPort, List<String> command, String scheme) {
        this.clientPort = clientPort;
        this.host = host;
        this.address = host == null ? InetAddress.getLoopbackAddress() : host.address();
        this.dir = dir;
        this.port = port;
        this.command = command;
        this.scheme = scheme;
    }

    /** etcd on {@code host}'s address, port 2379. */
    public static StoreServer etcd(SimulatedHost host, Path dir) {
        return etcd(host, dir, 2379, 2380);
    }

    /** etcd on 127.0.0.1 in this process's own namespace, on free ports. */
    public static StoreServer etcdOnLoopback(Path dir) {
        return etcd(null, dir, freePort(), freePort());
    }

    /**
     * etcd over TLS on {@code host}'s address (null: loopback, free ports), with
     * {@code certs}' server certificate, accepting only clients with a certificate of its CA.
     */
    public static StoreServer etcdTls(SimulatedHost host, Path dir, Certificates certs) {
        return host == null ? etcd(null, dir, freePort(), freePort(), certs) : etcd(host, dir, 2379, 2380, certs);
    }

    private static StoreServer etcd(SimulatedHost host, Path dir, int clientPort, int peerPort) {
        return etcd(host, dir, clientPort, peerPort, null);
    }

    private static StoreServer etcd(SimulatedHost host, Path dir, int clientPort, int peerPort, Certificates certs) {
        require(ETCD, "etcd-server");
        String a = IpPrefix.format(host == null ? InetAddress.getLoopbackAddress() : host.address());
        String client = (certs == null ? "http://" : "https://") + a + ":" + clientPort;
        String peer = "http://" + a + ":" + peerPort;
        List<String> argv = new ArrayList<>(List.of(ETCD.toString(), "--name", "weft-test",
                "--data-dir", dir.resolve("etcd").toString(), "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "weft-test=" + peer,
                "--initial-cluster-state", "new", "--logger", "zap", "--log-outputs", "stderr"));
        if (certs == null) {
            argv.add("--enable-v2=true"); // v2 for Docker's cluster store (libkv), beside weft's v3
        } else {
            argv.addAll(List.of("--client-cert-auth", "--trusted-ca-file", certs.ca().toString(),
                    "--cert-file", certs.serverCert().toString(), "--key-file", certs.serverKey().toString()));
        }
        StoreServer s = new StoreServer(host, dir, clientPort, argv, certs == null ? "etcd" : "etcds");
        s.start();
        return s;
    }

    /** ZooKeeper on {@code host}'s address, port 2181. */
    public static StoreServer zookeeper(SimulatedHost host, Path dir) {
        return zookeeper(host, dir, 2181);
    }

    /** ZooKeeper on 127.0.0.1 in this process's own namespace, on a free port. */
    public static StoreServer zookeeperOnLoopback(Path dir) {
        return zookeeper(null, dir, freePort());
    }

    /**
     * ZooKeeper on 127.0.0.1 with a plain port (probed for readiness) and a secure client port
     * (Netty, {@code certs}' server certificate, client certificates of its CA required), which
     * {@link #url()} names.
     */
    public static StoreServer zookeeperTlsOnLoopback(Path dir, Certificates certs) {
        return zookeeper(null, dir, freePort(), freePort(), certs);
    }

    private static StoreServer zookeeper(SimulatedHost host, Path dir, int port) {
        return zookeeper(host, dir, port, port, null);
    }

    private static StoreServer zookeeper(SimulatedHost host, Path dir, int port, int securePort, Certificates certs) {
        require(ZOOKEEPER_JAR, "zookeeper");
        InetAddress at = host == null ? InetAddress.getLoopbackAddress() : host.address();
        List<String> cfg = new ArrayList<>(List.of("tickTime=500", "dataDir=" + dir.resolve("zk"),
                "clientPort=" + port, "clientPortAddress=" + IpPrefix.format(at), "admin.enableServer=false",
                "forceSync=no", "maxClientCnxns=0"));
        if (certs != null) {
            cfg.addAll(List.of("secureClientPort=" + securePort, "secureClientPortAddress=" + IpPrefix.format(at),
                    "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
                    "authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider",
                    "ssl.keyStore.location=" + certs.serverPem(), "ssl.keyStore.type=PEM",
                    "ssl.trustStore.location=" + certs.ca(), "ssl.trustStore.type=PEM", "ssl.clientAuth=need"));
        }
        cfg.add("");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("zoo.cfg"), String.join("\n", cfg));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Debian's jar names its dependencies in its manifest, so the jar alone is the class path
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the manifest leaves out the Netty codec and handler that the secure port needs (Debian's libnetty-java has them)
        String classPath = certs == null ? ZOOKEEPER_JAR.toString()
                : ZOOKEEPER_JAR + ":/usr/share/java/netty-codec.jar:/usr/share/java/netty-handler.jar:/usr/share/java/slf4j-simple.jar";
        StoreServer s = new StoreServer(host, dir, port, securePort, List.of(java, "-Xmx256m", "-cp", classPath,
                "org.apache.zookeeper.server.ZooKeeperServerMain", dir.resolve("zoo.cfg").toString()), certs == null ? "zk" : "zks");
        s.start();
        return s;
    }

    /** A TCP port on loopback that nothing listens on now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void require(Path file, String pkg) {
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " is missing: install Debian's " + pkg + " package (scripts/setup-debian does)");
        }
    }

    /** The address weftd's --kv-store takes. */
    public String url() {
        return scheme + "://" + hostPort();
    }

    /** ADDRESS:PORT, as a client connects to it (the secure port of a TLS ZooKeeper). */
    public String hostPort() {
        return IpPrefix.format(address) + ":" + clientPort;
    }

    /** ADDRESS:PORT of ZooKeeper's plain port, beside its secure one (as other clients may use it). */
    public String plainHostPort() {
        return IpPrefix.format(address) + ":" + port;
    }

    /** Starts the server (again) on the same data and waits until it accepts connections. */
    public void start() {
        try {
            Files.createDirectories(dir);
            List<String> argv = host == null ? command : host.command(command.toArray(String[]::new));
            process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(scheme + ".log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + scheme, e);
        }
        InetSocketAddress at = new InetSocketAddress(address, port);
        for (int i = 0; i < 300; i++) {
            if (!process.isAlive()) {
                throw new IllegalStateException(scheme + " exited: " + log());
            }
            boolean up = host == null ? ready(at) : host.netns().call(() -> ready(at));
            if (up) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException(scheme + " did not listen on " + at + " within 30 s: " + log());
    }

    /**
     * etcd serves once it accepts; ZooKeeper accepts before it serves, so it must answer "srvr"
     * on its plain port, and its secure port (Netty, opened after the plain one) must accept too.
     */
    private boolean ready(InetSocketAddress at) {
        if (!scheme.startsWith("zk")) {
            return connects(at);
        }
        return zookeeperServes(at) && (clientPort == port || connects(new InetSocketAddress(address, clientPort)));
    }

    private static boolean zookeeperServes(InetSocketAddress at) {
        try (Socket s = new Socket()) {
            s.connect(at, 500);
            s.setSoTimeout(1000);
            s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).contains("Mode:");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean connects(InetSocketAddress at) {
        try (SocketChannel c = SocketChannel.open()) {
            c.socket().connect(at, 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL), keeping its data. */
    public void stop() {
        if (process == null || !process.isAlive()) {
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
    }

    public String log() {
        try {
            return Files.readString(dir.resolve(scheme + ".log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
