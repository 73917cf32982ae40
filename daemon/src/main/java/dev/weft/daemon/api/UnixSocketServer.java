package dev.weft.daemon.api;

import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.concurrent.LinkedBlockingQueue;

/** Jetty on a Unix socket, for weftd's API and its Docker plugin socket alike. */
public final class UnixSocketServer {
    private UnixSocketServer() {
    }

    /**
     * Serves {@code handler} on the Unix socket {@code socket} over connections from
     * {@code http}, the socket readable and writable by owner and group; {@code group}, if not
     * null, owns it (so its members may connect).
     */
    public static Server serve(Path socket, Handler handler, ConnectionFactory http, String group) {
        return serve(socket, handler, http, "rw-rw----", group);
    }

    /** The same, with the socket's mode {@code permissions} ("rw-------": its owner alone). */
    public static Server serve(Path socket, Handler handler, ConnectionFactory http, String permissions, String group) {
        try {
            Files.deleteIfExists(socket); // a leftover of a killed weftd: this one holds the store lock now
            Server server = new Server(threadPool());
            UnixDomainServerConnector connector = new UnixDomainServerConnector(server, http);
            connector.setUnixDomainPath(socket);
            server.addConnector(connector);
            server.setHandler(handler);
            server.start();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString(permissions));
            if (group != null) {
                Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(groupNamed(socket, group));
            }
            return server;
        } catch (Exception e) {
            throw new IllegalStateException("cannot serve the API on " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * Jetty's default thread pool (8 to 200 threads, idle ones ending after 60 s) with a JDK queue:
     * Jetty's own queue asks the platform MBean server for the cache line size when its class
     * loads, and creating that server costs about 40 ms of weftd's start-up.
     */
    public static QueuedThreadPool threadPool() {
        return new QueuedThreadPool(200, 8, 60_000, new LinkedBlockingQueue<>());
    }

    /** The group called {@code name}; IllegalArgumentException if there is none. */
    public static GroupPrincipal groupNamed(Path near, String name) {
        try {
            return near.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(name);
        } catch (UserPrincipalNotFoundException e) {
            throw new IllegalArgumentException("--group " + name + ": no such group");
        } catch (IOException e) {
            throw new IllegalArgumentException("--group " + name + ": " + e.getMessage());
        }
    }
}
