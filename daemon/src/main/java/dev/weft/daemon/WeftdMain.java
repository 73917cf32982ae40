package dev.weft.daemon;

import ch.qos.logback.classic.Level;
import dev.weft.daemon.api.UnixSocketServer;
import dev.weft.daemon.kernel.HostKernel;
import dev.weft.daemon.metrics.MetricsAddress;
import dev.weft.daemon.plugin.PluginOptions;
import dev.weft.net.IpPrefix;
import dev.weft.store.StoreException;
import dev.weft.store.StoreSecurity;
import dev.weft.store.StoreUrl;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The weftd command line. SIGTERM or SIGINT stops it cleanly and it exits 0; container
 * networking stays. (SIGKILL leaves a state the next start reconciles.)
 */
@Command(name = "weftd", mixinStandardHelpOptions = true, version = "weftd 0.1.0",
        description = "Runs the weft controller and serves its REST API on a Unix socket.")
public final class WeftdMain implements Callable<Integer> {
    /** gRPC logs through java.util.logging (INFO notes at start-up); held here, as JUL holds loggers weakly. */
    private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

    @Option(names = {"-H", "--host"}, paramLabel = "unix://PATH", description = "API socket (default: unix://${DEFAULT-VALUE})",
            defaultValue = "/run/weft/weft.sock")
    String socket;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "persistent state (default: ${DEFAULT-VALUE})",
            defaultValue = "/var/lib/weft")
    Path dataDir;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "runtime state: sandbox namespaces and files (default: ${DEFAULT-VALUE})",
            defaultValue = "/run/weft")
    Path runDir;

    @Option(names = "--resolv-conf", paramLabel = "FILE",
            description = "the host's resolv.conf: the embedded DNS server's upstreams (default: ${DEFAULT-VALUE})",
            defaultValue = "/etc/resolv.conf")
    Path resolvConf;

    @Option(names = "--kv-store", paramLabel = "URL",
            description = "share global (overlay) networks through this store: etcd://H:P[,H:P][/prefix], zk://H:P[/prefix],"
                    + " or etcd:H:P and zookeeper:H:P")
    String kvStore;

    @Option(names = "--kv-wait", paramLabel = "SECONDS",
            description = "with --kv-store: at start, how long to keep trying a store that does not answer (default: ${DEFAULT-VALUE})")
    long kvWait = ClusterOptions.DEFAULT_STORE_WAIT.toSeconds();

    @Option(names = "--kv-cacert", paramLabel = "FILE",
            description = "with --kv-store: PEM CA certificate(s) the store's server certificate must be signed by (turns on TLS)")
    Path kvCaCert;

    @Option(names = "--kv-cert", paramLabel = "FILE", description = "with --kv-store: this host's PEM client certificate (turns on TLS)")
    Path kvCert;

    @Option(names = "--kv-key", paramLabel = "FILE", description = "with --kv-cert: its unencrypted PKCS#8 PEM key")
    Path kvKey;

    @Option(names = "--kv-user", paramLabel = "NAME",
            description = "with --kv-store: etcd user, or ZooKeeper digest identity, to authenticate as; its password comes"
                    + " from --kv-password-file or the environment variable WEFT_KV_PASSWORD")
    String kvUser;

    @Option(names = "--kv-password-file", paramLabel = "FILE", description = "with --kv-user: a file holding its password")
    Path kvPasswordFile;

    @Option(names = {"-G", "--group"}, paramLabel = "NAME",
            description = "group that owns the API socket (mode 0660), so its members may use weft; the plugin socket stays root's")
    String group;

    @Option(names = "--advertise", paramLabel = "ADDRESS", description = "with --kv-store: this host's address for the other hosts")
    String advertise;

    @Option(names = "--bind-interface", paramLabel = "IF", description = "with --kv-store: the interface whose address to advertise")
    String bindInterface;

    @Option(names = "--plugin-socket", paramLabel = "PATH", arity = "0..1", fallbackValue = PluginOptions.DEFAULT_SOCKET,
            description = "also serve Docker's network and IPAM plugin protocols here (alone: /run/docker/plugins/weft.sock,"
                    + " so Docker knows weft as \"weft\"); with --kv-store its networks are global (overlay) networks")
    Path pluginSocket;

    @Option(names = "--nameserver", paramLabel = "IP",
            description = "with --plugin-socket: give every Docker container on a weft network a route to this address"
                    + " through its weft interface (repeatable)")
    List<String> nameservers = new ArrayList<>();

    @Option(names = "--docker-scope", paramLabel = "SCOPE",
            description = "with --plugin-socket: the scope the plugin tells Docker, local or global (default: global with"
                    + " --kv-store, for dockerd with --cluster-store; local for dockerd without one, whose networks reach"
                    + " other hosts with -o weft.overlay=NAME)")
    String dockerScope;

    @Option(names = "--docker-api", paramLabel = "PATH",
            description = "with --docker-scope local: dockerd's API socket, asked for the names of containers that join"
                    + " (default: /var/run/docker.sock)")
    Path dockerApi;

    @Option(names = "--docker-dns", paramLabel = "IP",
            description = "with --docker-scope local and --kv-store: answer DNS on IP port 53 with the names of the"
                    + " containers of every host on the asking container's overlay (give dockerd --dns IP)")
    String dockerDns;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "debug, info, warning or error (default: ${DEFAULT-VALUE})",
            defaultValue = "info")
    String logLevel;

    @Option(names = "--log-format", paramLabel = "FORMAT",
            description = "logfmt (key=value lines) or json (one JSON object a line) (default: ${DEFAULT-VALUE})",
            defaultValue = "logfmt")
    String logFormat;

    @Option(names = "--metrics-addr", paramLabel = "HOST:PORT",
            description = "also serve GET /metrics (Prometheus) over plain HTTP here, like 127.0.0.1:9323; off by default"
                    + " (it is always served on the API socket)")
    String metricsAddr;

    @Option(names = "--metrics-allow-remote",
            description = "let --metrics-addr be an address that is not loopback (the metrics have no authentication)")
    boolean metricsAllowRemote;

    /** Whether --docker-scope asks for local scope; global needs --kv-store. */
    private boolean localScope() {
        if (dockerScope == null) {
            return false;
        }
        return switch (dockerScope) {
            case "local" -> true;
            case "global" -> {
                if (kvStore == null) {
                    throw new IllegalArgumentException("--docker-scope global needs --kv-store");
                }
                yield false;
            }
            default -> throw new IllegalArgumentException("invalid --docker-scope \"" + dockerScope + "\" (local or global)");
        };
    }

    public static void main(String[] args) {
        // the model generated at compile time from the annotations below: none is read at run time
        System.exit(new CommandLine(CommandModels.spec(new WeftdMain())).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        Level level = switch (logLevel.toLowerCase()) {
            case "debug" -> Level.DEBUG;
            case "info" -> Level.INFO;
            case "warning", "warn" -> Level.WARN;
            case "error" -> Level.ERROR;
            default -> null;
        };
        if (level == null) {
            System.err.println("weftd: invalid --log-level \"" + logLevel + "\" (debug, info, warning, error)");
            return 2;
        }
        if (!LogFormat.apply(logFormat)) {
            System.err.println("weftd: invalid --log-format \"" + logFormat + "\" (logfmt, json)");
            return 2;
        }
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(level);
        GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
        if (level == Level.DEBUG) { // weft's own debug lines, not those of the libraries under it
            for (String library : new String[] {"org.eclipse.jetty", "io.grpc", "io.netty", "io.etcd", "org.apache"}) {
                ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(library)).setLevel(Level.INFO);
            }
        }
        String path = socket.startsWith("unix://") ? socket.substring("unix://".length()) : socket;
        if (socket.contains("://") && !socket.startsWith("unix://")) {
            System.err.println("weftd: only unix:// sockets are served (got " + socket + ")");
            return 2;
        }
        WeftdOptions options = new WeftdOptions(Path.of(path), dataDir, runDir, logLevel, resolvConf);
        try {
            if (pluginSocket != null) {
                boolean local = localScope();
                if ((dockerApi != null || dockerDns != null) && !local) {
                    throw new IllegalArgumentException("--docker-api and --docker-dns need --docker-scope local");
                }
                if (dockerDns != null && kvStore == null) {
                    throw new IllegalArgumentException("--docker-dns needs --kv-store (names of the other hosts' containers)");
                }
                options = options.withPlugin(new PluginOptions(pluginSocket, addresses(nameservers, "--nameserver"), local,
                        dockerApi == null ? PluginOptions.DEFAULT_DOCKER_API : dockerApi,
                        dockerDns == null ? null : addresses(List.of(dockerDns), "--docker-dns").getFirst()));
            } else if (!nameservers.isEmpty() || dockerScope != null || dockerApi != null || dockerDns != null) {
                throw new IllegalArgumentException("--nameserver and the --docker-* options need --plugin-socket");
            }
            if (kvStore != null) {
                options = options.withCluster(new ClusterOptions(StoreUrl.parse(kvStore).withSecurity(storeSecurity()),
                        advertise, bindInterface, java.time.Duration.ofSeconds(kvWait)));
            } else if (advertise != null || bindInterface != null || kvCaCert != null || kvCert != null || kvUser != null
                    || kvWait != ClusterOptions.DEFAULT_STORE_WAIT.toSeconds()) {
                throw new IllegalArgumentException("--advertise, --bind-interface and the --kv-* options need --kv-store");
            }
            if (metricsAddr != null) {
                options = options.withMetrics(MetricsAddress.parse(metricsAddr, metricsAllowRemote));
            } else if (metricsAllowRemote) {
                throw new IllegalArgumentException("--metrics-allow-remote needs --metrics-addr");
            }
            if (group != null) {
                UnixSocketServer.groupNamed(options.socket(), group);
                options = options.withGroup(group);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("weftd: " + e.getMessage());
            return 2;
        }
        Weftd weftd;
        try {
            weftd = Weftd.start(options, HostKernel.thisProcess());
        } catch (StoreException e) {
            System.err.println("weftd: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            System.err.println("weftd: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            System.err.println("weftd: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        for (String signal : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.countDown());
        }
        stop.await();
        weftd.close();
        return 0;
    }

    /** TLS files and credentials from the --kv-* options; the password never comes from the command line. */
    private StoreSecurity storeSecurity() {
        String password = null;
        if (kvPasswordFile != null) {
            try {
                password = Files.readString(kvPasswordFile).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("--kv-password-file: cannot read " + kvPasswordFile + " (" + e.getMessage() + ")");
            }
        } else if (kvUser != null) {
            password = System.getenv("WEFT_KV_PASSWORD");
        }
        if (password != null && kvUser == null) {
            throw new IllegalArgumentException("--kv-password-file needs --kv-user");
        }
        return new StoreSecurity(false, kvCaCert, kvCert, kvKey, kvUser, password);
    }

    private static List<InetAddress> addresses(List<String> texts, String option) {
        List<InetAddress> out = new ArrayList<>();
        for (String t : texts) {
            try {
                out.add(IpPrefix.parseAddress(t));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + e.getMessage());
            }
        }
        return out;
    }
}
