package dev.weft.daemon.metrics;

import dev.weft.net.IpPrefix;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where {@code --metrics-addr} serves /metrics over TCP: {@code HOST:PORT}, the host an IP address
 * ({@code [::1]:PORT} for IPv6) or {@code localhost}. Only loopback addresses are accepted unless
 * {@code remote} is allowed: the endpoint has neither authentication nor TLS.
 */
public record MetricsAddress(InetSocketAddress address) {

    /** Parses {@code text}; IllegalArgumentException with a one-line reason. */
    public static MetricsAddress parse(String text, boolean allowRemote) {
        URI uri;
        try {
            uri = new URI("http://" + text);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || uri.getPort() < 0 || uri.getRawPath().length() > 0
                || uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("--metrics-addr " + text + ": expected HOST:PORT, like 127.0.0.1:9323");
        }
        String host = uri.getHost().replace("[", "").replace("]", "");
        int port = uri.getPort();
        if (port > 65535) {
            throw new IllegalArgumentException("--metrics-addr " + text + ": the port must be a number from 0 to 65535");
        }
        InetAddress ip;
        if (host.equals("localhost")) {
            ip = InetAddress.getLoopbackAddress();
        } else {
            try {
                ip = IpPrefix.parseAddress(host);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--metrics-addr " + text + ": the host must be an IP address or localhost");
            }
        }
        if (!ip.isLoopbackAddress() && !allowRemote) {
            throw new IllegalArgumentException("--metrics-addr " + text + ": not a loopback address; the metrics have no"
                    + " authentication, so add --metrics-allow-remote to serve them to the network anyway");
        }
        return new MetricsAddress(new InetSocketAddress(ip, port));
    }
}
