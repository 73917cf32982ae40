package dev.weft.daemon.plugin;

import dev.weft.daemon.api.UnixSocketServer;
import dev.weft.daemon.metrics.WeftMetrics;
import dev.weft.daemon.journal.Journal;
import dev.weft.engine.Controller;
import dev.weft.store.Store;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** weftd's Docker plugin socket ({@code --plugin-socket}): {@link PluginApi} served there. */
public final class PluginServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginServer.class);
    private final Server server;
    private final Path socket;
    private final PluginApi api;

    private PluginServer(Server server, Path socket, PluginApi api) {
        this.server = server;
        this.socket = socket;
        this.api = api;
    }

    /** See {@link PluginApi#dockerNames}. */
    public Map<String, List<InetAddress>> dockerNames(InetAddress client) {
        return api.dockerNames(client);
    }

    /**
     * Serves the plugin protocols as {@code options} say; {@code global} is the store shared with
     * the other hosts (null on a single host), where local-scope attachments to overlays are kept.
     */
    public static PluginServer start(PluginOptions options, Controller controller, Journal journal, Store global,
                                     WeftMetrics metrics) {
        Path socket = options.socket();
        try {
            if (socket.getParent() != null) {
                Files.createDirectories(socket.getParent());
            }
            PluginApi api = new PluginApi(controller, options, journal, global, metrics);
            Server server = UnixSocketServer.serve(socket, api,
                    new BlankHostConnections(), "rw-------", null); // Docker's daemon runs as root; --group is for the API socket only
            LOG.info("serving Docker's NetworkDriver and IpamDriver protocols on unix://{} ({} scope)", socket,
                    controller.advertise() == null || options.localScope() ? "local" : "global");
            return new PluginServer(server, socket, api);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot serve the Docker plugin on " + socket + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the plugin server: {}", e.getMessage());
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("removing {}: {}", socket, e.getMessage());
        }
    }
}
