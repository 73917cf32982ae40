package dev.weft.engine.plugin;

import java.nio.file.Path;

/**
 * Where a plugin listens, as {@link PluginDiscovery} found it: a Unix socket, or a TCP host and
 * port, spoken to in plain HTTP or, with {@link Tls} settings, in HTTPS.
 */
public sealed interface PluginAddress {
    /** A Unix-domain socket at {@code path}. */
    record Unix(Path path) implements PluginAddress {
        @Override
        public String toString() {
            return "unix://" + path;
        }
    }

    /** TCP to {@code host}:{@code port}; HTTPS with {@code tls} when it is not null, plain HTTP otherwise. */
    record Tcp(String host, int port, Tls tls) implements PluginAddress {
        /** HOST:PORT, with an IPv6 address in brackets. */
        public String hostPort() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }

        @Override
        public String toString() {
            return "tcp://" + hostPort() + (tls == null ? "" : " (TLS)");
        }
    }

    /**
     * Docker's {@code TLSConfig}: {@code caFile} (PEM) holds the certificates that verify the
     * server, the JDK's default ones when null; {@code certFile} and {@code keyFile} (PEM) are
     * a client certificate, or both null; {@code insecureSkipVerify} accepts any server
     * certificate and name.
     */
    record Tls(boolean insecureSkipVerify, Path caFile, Path certFile, Path keyFile) {
    }
}
