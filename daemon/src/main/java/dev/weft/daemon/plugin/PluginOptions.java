package dev.weft.daemon.plugin;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * weftd as a Docker network and IPAM plugin: the socket it serves the plugin protocols on, where
 * Docker looks for plugin {@code NAME} at /run/docker/plugins/NAME.sock; and the nameservers every
 * container on a weft network gets a route to through its weft interface (the Weave plugin's
 * {@code --nameserver}, for a resolver that is reachable only that way).
 */
public record PluginOptions(Path socket, List<InetAddress> nameservers) {
    /** Where Docker finds a plugin named "weft". */
    public static final String DEFAULT_SOCKET = "/run/docker/plugins/weft.sock";

    public PluginOptions {
        nameservers = List.copyOf(nameservers);
    }

    public PluginOptions(Path socket) {
        this(socket, List.of());
    }
}
