package dev.weft.store.etcd;

import dev.weft.store.StoreException;
import dev.weft.store.StoreSecurity;
import dev.weft.store.StoreUrl;
import dev.weft.store.TlsProbe;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;

import javax.net.ssl.SSLException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Builds the jetcd client for a store address: plain or TLS ({@code https://} endpoints, the CA
 * file as the only trust anchors, the client certificate and key), with etcd's user and password
 * if given. A TLS handshake is tried first ({@link TlsProbe}), since gRPC would retry a refused
 * one until its deadline; {@link #explain} turns a failed first call into one line naming the
 * credential etcd rejected.
 */
final class EtcdConnect {
    private EtcdConnect() {
    }

    static Client client(StoreUrl url, Duration connectTimeout) {
        StoreSecurity s = url.security();
        TlsProbe.check("etcd", url.endpoints().getFirst(), s);
        String scheme = s.tls() ? "https://" : "http://";
        ClientBuilder b = Client.builder().endpoints(url.endpoints().stream().map(e -> scheme + e).toArray(String[]::new))
                .connectTimeout(connectTimeout).retryMaxDuration(connectTimeout)
                // etcd's "require leader": a member without a leader refuses at once instead of holding the call
                .header("hasleader", "true");
        if (s.tls()) {
            try {
                b.sslContext(ssl -> {
                    if (s.caCert() != null) {
                        ssl.trustManager(s.caCert().toFile());
                    }
                    if (s.cert() != null) {
                        ssl.keyManager(s.cert().toFile(), s.key().toFile());
                    }
                });
            } catch (SSLException | IllegalArgumentException e) {
                throw new StoreException("cannot use the TLS files for etcd at " + url.connectString() + " (" + files(s)
                        + "): " + rootMessage(e) + "; the key must be an unencrypted PEM key (PKCS#8 or PKCS#1)", e);
            }
        }
        if (s.hasUser()) {
            b.user(ByteSequence.from(s.user(), StandardCharsets.UTF_8))
                    .password(ByteSequence.from(s.password(), StandardCharsets.UTF_8));
        }
        return b.build();
    }

    /** One line for the first call's failure {@code e}: a rejected certificate or credential, or e itself. */
    static StoreException explain(StoreException e, StoreUrl url) {
        StoreSecurity s = url.security();
        String at = "etcd at " + url.connectString();
        String all = messages(e).toLowerCase(Locale.ROOT);
        if (s.hasUser() && all.contains("authentication failed")) {
            return new StoreException(at + " refused user '" + s.user() + "': wrong user name or password", e);
        }
        if (all.contains("user name is empty") || all.contains("user name not found") || all.contains("permission denied")) {
            return new StoreException(at + " requires authentication: give --kv-user and its password"
                    + " (or a client certificate whose name is an etcd user)", e);
        }
        return e;
    }

    private static String files(StoreSecurity s) {
        return "--kv-cacert " + s.caCert() + ", --kv-cert " + s.cert() + ", --kv-key " + s.key();
    }

    private static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append('\n');
            for (Throwable s : c.getSuppressed()) {
                b.append(messages(s));
            }
        }
        return b.toString();
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return String.valueOf(c.getMessage()).lines().findFirst().orElse("");
    }
}
