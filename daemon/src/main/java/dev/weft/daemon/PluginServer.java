package dev.weft.daemon;

import dev.weft.daemon.plugin.BlankHostConnections;
import dev.weft.daemon.plugin.PluginApi;
import dev.weft.engine.Controller;
import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Rtnetlink;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** weftd's Docker plugin socket ({@code --plugin-socket}): {@link PluginApi} with its own rtnetlink socket. */
final class PluginServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginServer.class);
    private final Server server;
    private final Rtnetlink host;
    private final Path socket;

    private PluginServer(Server server, Rtnetlink host, Path socket) {
        this.server = server;
        this.host = host;
        this.socket = socket;
    }

    /** Serves the plugin protocols on {@code socket}; Join leaves interfaces in {@code hostNs} (null: this process's). */
    static PluginServer start(Path socket, Controller controller, Netns hostNs) {
        Rtnetlink host = hostNs == null ? Rtnetlink.open() : Rtnetlink.open(hostNs);
        try {
            if (socket.getParent() != null) {
                Files.createDirectories(socket.getParent());
            }
            Server server = Weftd.serve(socket, new PluginApi(controller, host.links()), new BlankHostConnections());
            LOG.info("serving Docker's NetworkDriver and IpamDriver protocols on unix://{}", socket);
            return new PluginServer(server, host, socket);
        } catch (IOException | RuntimeException e) {
            host.close();
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
        host.close();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warn("removing {}: {}", socket, e.getMessage());
        }
    }
}
