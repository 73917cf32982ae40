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
        String peer = "http://" + IpPrefix.format(host == null ? InetAddress.getLoopbackAddress() : host.address()) + ":" + peerPort;
        StoreServer s = etcdMember(host, dir, clientPort, peerPort, certs, "weft-test", "weft-test=" + peer);
        s.start();
        return s;
    }

    /**
     * One member of an etcd cluster named by {@code initialCluster} (NAME=PEER_URL,...), not yet
     * started: members of a new cluster serve only once a majority runs, so they are launched
     * together ({@link #launch}) and then awaited.
     */
    static StoreServer etcdMember(SimulatedHost host, Path dir, int clientPort, int peerPort, Certificates certs,
                                  String name, String initialCluster) {
        require(ETCD, "etcd-server");
        String a = IpPrefix.format(host == null ? InetAddress.getLoopbackAddress() : host.address());
        String client = (certs == null ? "http://" : "https://") + a + ":" + clientPort;
        String peer = "http://" + a + ":" + peerPort;
        List<String> argv = new ArrayList<>(List.of(ETCD.toString(), "--name", name,
                "--data-dir", dir.resolve("etcd").toString(), "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", initialCluster,
                "--initial-cluster-state", "new", "--logger", "zap", "--log-outputs", "stderr"));
        if (certs == null) {
            argv.add("--enable-v2=true"); // v2 for Docker's cluster store (libkv), beside weft's v3
        } else {
            argv.addAll(List.of("--client-cert-auth", "--trusted-ca-file", certs.ca().toString(),
                    "--cert-file", certs.serverCert().toString(), "--key-file", certs.serverKey().toString()));
        }
        return new StoreServer(host, dir, clientPort, argv, certs == null ? "etcd" : "etcds");
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
        StoreServer s = zookeeperMember(host, dir, port, securePort, certs, List.of());
        s.start();
        return s;
    }

    /**
     * A ZooKeeper server, not yet started; {@code ensemble} holds the ensemble's
     * {@code server.N=...} lines and, first, this server's id (none: a standalone server).
     */
    static StoreServer zookeeperMember(SimulatedHost host, Path dir, int port, int securePort, Certificates certs,
                                       List<String> ensemble) {
        require(ZOOKEEPER_JAR, "zookeeper");
        InetAddress at = host == null ? InetAddress.getLoopbackAddress() : host.address();
        List<String> cfg = new ArrayList<>(List.of("tickTime=500", "dataDir=" + dir.resolve("zk"),
                "clientPort=" + port, "clientPortAddress=" + IpPrefix.format(at), "admin.enableServer=false",
                "forceSync=no", "maxClientCnxns=0"));
        if (!ensemble.isEmpty()) {
            cfg.addAll(List.of("initLimit=10", "syncLimit=5"));
            cfg.addAll(ensemble.subList(1, ensemble.size()));
        }
        if (certs != null) {
            cfg.addAll(List.of("secureClientPort=" + securePort, "secureClientPortAddress=" + IpPrefix.format(at),
                    "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
                    "authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider",
                    "ssl.keyStore.location=" + certs.serverPem(), "ssl.keyStore.type=PEM",
                    "ssl.trustStore.location=" + certs.ca(), "ssl.trustStore.type=PEM", "ssl.clientAuth=need"));
        }
        cfg.add("");
        try {
            Files.createDirectories(dir.resolve("zk"));
            Files.writeString(dir.resolve("zoo.cfg"), String.join("\n", cfg));
            if (!ensemble.isEmpty()) {
                Files.writeString(dir.resolve("zk").resolve("myid"), ensemble.getFirst() + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Debian's jar names its dependencies in its manifest, so the jar alone is the class path
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the manifest leaves out the Netty codec and handler that the secure port needs (Debian's libnetty-java has them)
        String classPath = certs == null ? ZOOKEEPER_JAR.toString()
                : ZOOKEEPER_JAR + ":/usr/share/java/netty-codec.jar:/usr/share/java/netty-handler.jar:/usr/share/java/slf4j-simple.jar";
        String main = ensemble.isEmpty() ? "org.apache.zookeeper.server.ZooKeeperServerMain"
                : "org.apache.zookeeper.server.quorum.QuorumPeerMain";
        return new StoreServer(host, dir, port, securePort, List.of(java, "-Xmx256m", "-cp", classPath,
                main, dir.resolve("zoo.cfg").toString()), certs == null ? "zk" : "zks");
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
        launch();
        awaitReady();
    }

    /** Starts the server's process (again) on the same data, without waiting for it to serve. */
    void launch() {
        try {
            Files.createDirectories(dir);
            List<String> argv = host == null ? command : host.command(command.toArray(String[]::new));
            process = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(scheme + ".log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + scheme, e);
        }
    }

    /** Waits up to 30 s until the launched server serves, failing with its log if it exits. */
    void awaitReady() {
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
        return srvr(at).contains("Mode:");
    }

    /** ZooKeeper's answer to "srvr" on its plain port ("" if it does not answer). */
    public String srvr() {
        InetSocketAddress at = new InetSocketAddress(address, port);
        return host == null ? srvr(at) : host.netns().call(() -> srvr(at));
    }

    private static String srvr(InetSocketAddress at) {
        try (Socket s = new Socket()) {
            s.connect(at, 500);
            s.setSoTimeout(1000);
            s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
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

    /** Kills the server at once (SIGKILL), keeping its data, as a crash would. */
    public void kill() {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the server's process runs. */
    public boolean running() {
        return process != null && process.isAlive();
    }

    /** The host it runs on (null: this process's namespace). */
    public SimulatedHost host() {
        return host;
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
