package dev.weft.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Collection;

/**
 * How weft proves itself to the global store and checks the store's identity. {@code tls} turns
 * on TLS (implied by any file given); {@code caCert} is the PEM file of the CA(s) that signed the
 * server's certificate (null: the JDK's trusted CAs); {@code cert} and {@code key} are this host's
 * client certificate and its PKCS#8 PEM key, both or neither. {@code user} and {@code password}
 * are etcd's user authentication, or ZooKeeper's digest identity, which then also owns weft's
 * znodes (their ACL grants everything to that identity alone). The files are checked when the
 * value is made: readable, PEM certificates, and the client certificate valid now, so an expired
 * certificate is named before any connection is tried. {@link #toString()} hides the password.
 */
public record StoreSecurity(boolean tls, Path caCert, Path cert, Path key, String user, String password) {
    public static final StoreSecurity NONE = new StoreSecurity(false, null, null, null, null, null);

    public StoreSecurity {
        tls = tls || caCert != null || cert != null || key != null;
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("a client certificate needs its key and a key its certificate"
                    + " (give both --kv-cert and --kv-key)");
        }
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("--kv-user needs a password (--kv-password-file FILE or WEFT_KV_PASSWORD)"
                    + " and a password needs --kv-user");
        }
        if (user != null && (user.isEmpty() || user.contains(":"))) {
            throw new IllegalArgumentException("--kv-user '" + user + "' must be non-empty and hold no ':'");
        }
        readable(caCert, "--kv-cacert");
        readable(cert, "--kv-cert");
        readable(key, "--kv-key");
        if (caCert != null) {
            certificates(caCert, "--kv-cacert");
        }
        if (cert != null) {
            checkValidNow(certificates(cert, "--kv-cert").iterator().next(), cert);
        }
    }

    private static void readable(Path p, String option) {
        if (p != null && !Files.isReadable(p)) {
            throw new IllegalArgumentException(option + ": cannot read " + p + " ("
                    + (Files.exists(p) ? "permission denied" : "no such file") + ")");
        }
    }

    private static Collection<X509Certificate> certificates(Path file, String option) {
        try (InputStream in = Files.newInputStream(file)) {
            @SuppressWarnings("unchecked")
            Collection<X509Certificate> all = (Collection<X509Certificate>) CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (all.isEmpty()) {
                throw new CertificateException("no certificate in it");
            }
            return all;
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException(option + " " + file + " is not a PEM certificate file: " + e.getMessage());
        }
    }

    private static void checkValidNow(X509Certificate c, Path file) {
        try {
            c.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new IllegalArgumentException("the client certificate " + file + " expired on " + c.getNotAfter().toInstant()
                    + " (--kv-cert): renew it");
        } catch (CertificateNotYetValidException e) {
            throw new IllegalArgumentException("the client certificate " + file + " is not valid before "
                    + c.getNotBefore().toInstant() + " (--kv-cert): is this host's clock right?");
        }
    }

    /** TLS only, verified against {@code caCert} (null: the JDK's CAs), with the client certificate if given. */
    public static StoreSecurity tls(Path caCert, Path cert, Path key) {
        return new StoreSecurity(true, caCert, cert, key, null, null);
    }

    public StoreSecurity withTls() {
        return new StoreSecurity(true, caCert, cert, key, user, password);
    }

    public StoreSecurity withUser(String newUser, String newPassword) {
        return new StoreSecurity(tls, caCert, cert, key, newUser, newPassword);
    }

    public boolean hasUser() {
        return user != null;
    }

    @Override
    public String toString() {
        return "StoreSecurity[tls=" + tls + ", caCert=" + caCert + ", cert=" + cert + ", key=" + key + ", user=" + user
                + (password == null ? "" : ", password=***") + "]";
    }
}
