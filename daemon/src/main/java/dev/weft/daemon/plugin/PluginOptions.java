package dev.weft.daemon.plugin;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * weftd as a Docker network and IPAM plugin: the socket it serves the plugin protocols on, where
 * Docker looks for plugin {@code NAME} at /run/docker/plugins/NAME.sock; the nameservers every
 * container on a weft network gets a route to through its weft interface (the Weave plugin's
 * {@code --nameserver}, for a resolver that is reachable only that way); and {@code localScope}
 * ({@code --docker-scope local}): answer GetCapabilities with local scope even when weftd shares a
 * global store, for dockerd without a cluster store (Docker 23 and later), whose networks reach
 * other hosts through {@code -o weft.overlay=NAME}. In local scope, {@code dockerApi} is the
 * socket of this host's dockerd, asked for the names of the containers that join, and {@code dns}
 * (null: none) the address of this host where weftd answers those names on port 53 for dockerd's
 * {@code --dns}.
 */
public record PluginOptions(Path socket, List<InetAddress> nameservers, boolean localScope, Path dockerApi,
                            InetAddress dns) {
    /** Where dockerd serves its API. */
    public static final Path DEFAULT_DOCKER_API = Path.of("/var/run/docker.sock");
    /** Where Docker finds a plugin named "weft". */
    public static final String DEFAULT_SOCKET = "/run/docker/plugins/weft.sock";

    public PluginOptions {
        nameservers = List.copyOf(nameservers);
    }

    public PluginOptions(Path socket, List<InetAddress> nameservers) {
        this(socket, nameservers, false, DEFAULT_DOCKER_API, null);
    }

    public PluginOptions(Path socket) {
        this(socket, List.of());
    }
}
