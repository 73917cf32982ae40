package dev.weft.daemon.metrics;

import dev.weft.daemon.api.UnixSocketServer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/** /metrics on a TCP address ({@code --metrics-addr}), as dockerd's metrics-addr: that path and nothing else. */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private final Server server;

    private MetricsServer(Server server) {
        this.server = server;
    }

    /** Serves {@code metrics} at {@code address}; IllegalStateException if it cannot bind. */
    public static MetricsServer start(MetricsAddress address, WeftMetrics metrics) {
        Server server = new Server(UnixSocketServer.threadPool());
        try {
            ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory());
            connector.setHost(address.address().getAddress().getHostAddress());
            connector.setPort(address.address().getPort());
            server.addConnector(connector);
            server.setHandler(new MetricsHandler(metrics));
            server.start();
            InetSocketAddress bound = new InetSocketAddress(address.address().getAddress(), connector.getLocalPort());
            LOG.info("serving metrics on http://{}:{}{}", bound.getAddress().getHostAddress().contains(":")
                    ? "[" + bound.getAddress().getHostAddress() + "]" : bound.getAddress().getHostAddress(),
                    bound.getPort(), MetricsHandler.PATH);
            return new MetricsServer(server);
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // it never started
            }
            throw new IllegalStateException("cannot serve metrics on " + address.address() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the metrics server: {}", e.getMessage());
        }
    }
}
