package dev.weft.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for a TLS store, made with the openssl command in a test's directory: a CA
 * ({@link #ca()}), a server certificate it signed for loopback and the given addresses, a client
 * certificate it signed, a client certificate of another CA, and an expired client certificate of
 * the right CA. Keys are unencrypted PKCS#8 PEM. {@link #serverPem()} holds the server's key and
 * certificate in one file, as ZooKeeper's PEM key store takes it.
 */
public final class Certificates {
    private final Path dir;

    private Certificates(Path dir) {
        this.dir = dir;
    }

    /** Makes every file in {@code dir}, the server certificate valid for 127.0.0.1 (and localhost) and {@code serverIps}. */
    public static Certificates make(Path dir, String... serverIps) {
        Certificates c = new Certificates(dir);
        StringBuilder san = new StringBuilder("subjectAltName=IP:127.0.0.1,DNS:localhost");
        for (String ip : serverIps) {
            san.append(",IP:").append(ip);
        }
        c.selfSigned("ca", "weft test CA");
        c.selfSigned("other-ca", "another CA");
        c.signed("server", "store", "ca", "-addext", san.toString());
        c.signed("client", "weft", "ca");
        c.signed("other-client", "weft", "other-ca");
        c.expired("expired-client", "ca");
        try {
            Files.writeString(dir.resolve("server-all.pem"),
                    Files.readString(c.key("server")) + Files.readString(c.cert("server")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return c;
    }

    public Path ca() {
        return cert("ca");
    }

    public Path otherCa() {
        return cert("other-ca");
    }

    public Path serverCert() {
        return cert("server");
    }

    public Path serverKey() {
        return key("server");
    }

    /** The server's key then its certificate, in one PEM file. */
    public Path serverPem() {
        return dir.resolve("server-all.pem");
    }

    /** NAME.pem: "client", "other-client" (signed by another CA), "expired-client". */
    public Path cert(String name) {
        return dir.resolve(name + ".pem");
    }

    public Path key(String name) {
        return dir.resolve(name + ".key");
    }

    private void selfSigned(String name, String cn) {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + cn);
    }

    private void signed(String name, String cn, String ca, String... extra) {
        List<String> args = new ArrayList<>(List.of("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + cn,
                "-CA", ca + ".pem", "-CAkey", ca + ".key"));
        args.addAll(List.of(extra));
        openssl(args.toArray(String[]::new));
    }

    /** A certificate of {@code ca} valid for one day in 2020, through openssl ca (req cannot back-date). */
    private void expired(String name, String ca) {
        try {
            Files.writeString(dir.resolve("ca.cnf"), String.join("\n", "[ca]", "default_ca=d", "[d]",
                    "database=index.txt", "new_certs_dir=.", "serial=serial", "default_md=sha256", "policy=p",
                    "[p]", "commonName=supplied", ""));
            Files.writeString(dir.resolve("index.txt"), "");
            Files.writeString(dir.resolve("serial"), "01\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", "/CN=weft");
        openssl("ca", "-batch", "-config", "ca.cnf", "-cert", ca + ".pem", "-keyfile", ca + ".key", "-in", name + ".csr",
                "-out", name + ".pem", "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-notext");
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Files.createDirectories(dir);
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(command + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
