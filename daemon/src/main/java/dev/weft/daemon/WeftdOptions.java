package dev.weft.daemon;

import dev.weft.daemon.metrics.MetricsAddress;
import dev.weft.daemon.plugin.PluginOptions;

import java.nio.file.Path;

/**
 * weftd's settings, parsed once from its command line. {@code resolvConf} is the host's
 * resolv.conf: its nameservers are the embedded DNS server's upstreams. {@code cluster} is null
 * on a single host. {@code plugin}, when not null, says where weftd also serves Docker's network
 * and IPAM plugin protocols. {@code group}, when not null, is the group that owns the API socket
 * (mode 0660), so its members may use the CLI (as dockerd's {@code -G}); the plugin socket stays
 * root's alone (0600). {@code metrics}, when not null, is where /metrics is also served over TCP
 * (as dockerd's {@code metrics-addr}); it is always served on the API socket.
 */
public record WeftdOptions(Path socket, Path dataDir, Path runDir, String logLevel, Path resolvConf,
                           ClusterOptions cluster, PluginOptions plugin, String group,
                           MetricsAddress metrics) {
    public static final Path DEFAULT_RESOLV_CONF = Path.of("/etc/resolv.conf");

    public WeftdOptions(Path socket, Path dataDir, Path runDir, String logLevel) {
        this(socket, dataDir, runDir, logLevel, DEFAULT_RESOLV_CONF);
    }

    public WeftdOptions(Path socket, Path dataDir, Path runDir, String logLevel, Path resolvConf) {
        this(socket, dataDir, runDir, logLevel, resolvConf, null, null, null, null);
    }

    public WeftdOptions withCluster(ClusterOptions c) {
        return new WeftdOptions(socket, dataDir, runDir, logLevel, resolvConf, c, plugin, group, metrics);
    }

    public WeftdOptions withPlugin(PluginOptions p) {
        return new WeftdOptions(socket, dataDir, runDir, logLevel, resolvConf, cluster, p, group, metrics);
    }

    public WeftdOptions withGroup(String g) {
        return new WeftdOptions(socket, dataDir, runDir, logLevel, resolvConf, cluster, plugin, g, metrics);
    }

    /** Also serves /metrics over TCP at {@code m} ({@code --metrics-addr}). */
    public WeftdOptions withMetrics(MetricsAddress m) {
        return new WeftdOptions(socket, dataDir, runDir, logLevel, resolvConf, cluster, plugin, group, m);
    }

    public WeftdOptions withPluginSocket(Path path) {
        return withPlugin(path == null ? null : new PluginOptions(path));
    }

    public static final Path DEFAULT_SOCKET = Path.of("/run/weft/weft.sock");
    public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/weft");
    public static final Path DEFAULT_RUN_DIR = Path.of("/run/weft");

    public static WeftdOptions defaults() {
        return new WeftdOptions(DEFAULT_SOCKET, DEFAULT_DATA_DIR, DEFAULT_RUN_DIR, "info", DEFAULT_RESOLV_CONF, null, null, null, null);
    }
}
