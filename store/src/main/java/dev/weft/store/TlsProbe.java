package dev.weft.store;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;

/**
 * A TLS handshake with a store server before its client library connects. Client libraries
 * (gRPC for etcd, Netty for ZooKeeper) retry a failed handshake until their deadline and then
 * report a timeout; this probe tells at once, in one line, which side refused: the server's
 * certificate not signed by the CA file or not issued for the address, or this host's client
 * certificate rejected. A server that cannot be reached is left to the client library to report.
 */
public final class TlsProbe {
    private static final int TIMEOUT_MS = 2000;

    private TlsProbe() {
    }

    /** Throws a StoreException naming the refused certificate; returns if the handshake succeeded or nothing answered. */
    public static void check(String store, StoreUrl.Endpoint at, StoreSecurity s) {
        if (!s.tls()) {
            return;
        }
        SSLContext context = context(store, s);
        String where = store + " at " + at;
        Socket raw = new Socket();
        try {
            raw.connect(new InetSocketAddress(at.host(), at.port()), TIMEOUT_MS);
            raw.setSoTimeout(TIMEOUT_MS);
        } catch (IOException e) {
            close(raw);
            return; // not reachable: the client library reports it, with its own timeout
        }
        try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(raw, at.host(), at.port(), true)) {
            SSLParameters p = tls.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(p);
            tls.startHandshake();
            tls.getInputStream().read(); // TLS 1.3: a rejected client certificate comes back as an alert here
        } catch (SocketTimeoutException e) {
            return; // the handshake went through and the server waits for the client's first request
        } catch (SSLException e) {
            throw new StoreException(explain(where, s, e), e);
        } catch (IOException e) {
            // the server hung up in the middle of the handshake, as ZooKeeper does with a certificate it refuses
            throw new StoreException(where + " closed the connection during the TLS handshake: it rejected this host's client"
                    + " certificate" + (s.cert() == null ? " (none given: --kv-cert and --kv-key)" : " " + s.cert()
                    + " (not signed by a CA the server trusts)") + ", or it does not speak TLS", e);
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing was sent
        }
    }

    private static String explain(String where, StoreSecurity s, SSLException e) {
        String m = String.valueOf(e.getMessage());
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
            return where + ": its server certificate is not issued for that address (" + m + ")";
        }
        if (lower.contains("pkix") || lower.contains("certification path") || lower.contains("unable to find valid")) {
            return where + ": its server certificate is not signed by "
                    + (s.caCert() == null ? "a CA this JDK trusts (give --kv-cacert)" : "the CA in " + s.caCert() + " (--kv-cacert)");
        }
        if (lower.contains("bad_certificate") || lower.contains("certificate_required") || lower.contains("unknown_ca")
                || lower.contains("certificate_unknown") || lower.contains("certificate_expired")) {
            return where + " rejected this host's client certificate" + (s.cert() == null
                    ? " (none given: --kv-cert and --kv-key)" : " " + s.cert() + " (not signed by a CA the server trusts)");
        }
        if (e instanceof SSLHandshakeException && lower.contains("unrecognized ssl message") || lower.contains("plaintext")) {
            return where + " does not speak TLS (use the plain scheme and no --kv-cacert/--kv-cert)";
        }
        return where + ": TLS handshake failed: " + m;
    }

    private static SSLContext context(String store, StoreSecurity s) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (s.caCert() == null) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (Certificate c : certificates(s.caCert())) {
                    trust.setCertificateEntry("ca" + i++, c);
                }
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (s.cert() != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", privateKey(s.key()), new char[0],
                        certificates(s.cert()).toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return c;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new StoreException("cannot use the TLS files for " + store + " (--kv-cacert " + s.caCert() + ", --kv-cert "
                    + s.cert() + ", --kv-key " + s.key() + "): " + e.getMessage()
                    + "; the key must be an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY)", e);
        }
    }

    private static java.util.Collection<? extends Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(file + " holds no PKCS#8 key");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"EC", "RSA", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }
}
