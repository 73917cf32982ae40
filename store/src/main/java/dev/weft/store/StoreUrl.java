package dev.weft.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a distributed store lives, parsed once from weftd's {@code --kv-store} flag. Accepted
 * forms: {@code etcd://H:P[,H:P...][/prefix]}, {@code zk://H:P[,H:P...][/prefix]} (also
 * {@code zookeeper://}), and the seed documents' {@code etcd:H:P} and {@code zookeeper:H:P}.
 * The prefix (default {@code weft}) keeps weft's keys apart from anything else in the store.
 * {@code sessionTtl} is how long a host's ephemeral entries outlive its last keep-alive;
 * {@code security} how the connection is secured and authenticated.
 */
public record StoreUrl(String scheme, List<Endpoint> endpoints, String prefix, Duration sessionTtl,
                       StoreSecurity security) {
    public static final String DEFAULT_PREFIX = "weft";
    public static final Duration DEFAULT_SESSION_TTL = Duration.ofSeconds(10);

    /** One server address. */
    public record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    public StoreUrl {
        endpoints = List.copyOf(endpoints);
        security = security == null ? StoreSecurity.NONE : security;
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("store address has no host:port");
        }
    }

    public StoreUrl withSessionTtl(Duration ttl) {
        return new StoreUrl(scheme, endpoints, prefix, ttl, security);
    }

    public StoreUrl withPrefix(String newPrefix) {
        return new StoreUrl(scheme, endpoints, newPrefix, sessionTtl, security);
    }

    /** The same store, reached with {@code s}; TLS stays on if the scheme asked for it. */
    public StoreUrl withSecurity(StoreSecurity s) {
        return new StoreUrl(scheme, endpoints, prefix, sessionTtl, security.tls() ? s.withTls() : s);
    }

    /** "H:P,H:P", as client libraries take it. */
    public String connectString() {
        return String.join(",", endpoints.stream().map(Endpoint::toString).toList());
    }

    /** Parses a store address; throws IllegalArgumentException with a message fit for a user. */
    public static StoreUrl parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("store address is empty (expected etcd://HOST:PORT or zk://HOST:PORT)");
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("store address '" + text + "' has no scheme (expected etcd://HOST:PORT or zk://HOST:PORT)");
        }
        String given = text.substring(0, colon).toLowerCase(Locale.ROOT);
        boolean tls = given.equals("etcds") || given.equals("zks");
        String scheme = canonicalScheme(tls ? given.substring(0, given.length() - 1) : given, text);
        String rest = text.substring(colon + 1);
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        String prefix = DEFAULT_PREFIX;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String p = rest.substring(slash + 1).replaceAll("^/+|/+$", "");
            if (!p.isEmpty()) {
                prefix = p;
            }
            rest = rest.substring(0, slash);
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (String hp : rest.split(",")) {
            endpoints.add(endpoint(hp.trim(), text));
        }
        return new StoreUrl(scheme, endpoints, prefix, DEFAULT_SESSION_TTL,
                tls ? StoreSecurity.NONE.withTls() : StoreSecurity.NONE);
    }

    private static String canonicalScheme(String scheme, String text) {
        return switch (scheme) {
            case "etcd" -> "etcd";
            case "zk", "zookeeper" -> "zk";
            default -> throw new IllegalArgumentException(
                    "unknown store '" + scheme + "' in '" + text + "' (supported: etcd, etcds, zk, zks)");
        };
    }

    private static Endpoint endpoint(String hp, String text) {
        int colon = hp.lastIndexOf(':');
        if (hp.isEmpty() || colon <= 0 || colon == hp.length() - 1) {
            throw new IllegalArgumentException("store address '" + text + "': '" + hp + "' is not HOST:PORT");
        }
        String host = hp.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hp.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("store address '" + text + "': port in '" + hp + "' must be 1-65535");
        }
        return new Endpoint(host, port);
    }
}
