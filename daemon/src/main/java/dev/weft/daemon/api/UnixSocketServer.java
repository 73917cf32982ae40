package dev.weft.daemon.api;

import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Jetty on a Unix socket, for weftd's API and its Docker plugin socket alike. */
public final class UnixSocketServer {
    private UnixSocketServer() {
    }

    /**
     * Serves {@code handler} on the Unix socket {@code socket} over connections from
     * {@code http}, the socket readable and writable by owner and group.
     */
    public static Server serve(Path socket, Handler handler, ConnectionFactory http) {
        try {
            Files.deleteIfExists(socket); // a leftover of a killed weftd: this one holds the store lock now
            Server server = new Server();
            UnixDomainServerConnector connector = new UnixDomainServerConnector(server, http);
            connector.setUnixDomainPath(socket);
            server.addConnector(connector);
            server.setHandler(handler);
            server.start();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
            return server;
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve the API on " + socket + ": " + e.getMessage(), e);
        }
    }
}
