package dev.weft.engine.plugin;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS side of a plugin's {@code TLSConfig} (go-connections tlsconfig.Client), with the JDK
 * only: PEM certificates through {@link CertificateFactory}; private keys in PKCS#8
 * ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC 1
 * ({@code BEGIN EC PRIVATE KEY}), the last two rewrapped as PKCS#8. Encrypted keys are refused.
 * Every problem with a file is an {@link IOException} naming the file and its field.
 */
final class PluginTls {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
    /** DER of the AlgorithmIdentifier OIDs: rsaEncryption (with its NULL parameters) and id-ecPublicKey. */
    private static final byte[] RSA_ALGORITHM = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
        0x01, 0x01, 0x05, 0x00};
    private static final byte[] EC_ALGORITHM = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    private PluginTls() {
    }

    /** A socket factory that verifies the server as {@code tls} says and shows its client certificate, if any. */
    static SSLSocketFactory socketFactory(PluginAddress.Tls tls) throws IOException {
        try {
            TrustManager[] trust = null; // the JDK's default certificates
            if (tls.insecureSkipVerify()) {
                trust = new TrustManager[] {new TrustingAll()};
            } else if (tls.caFile() != null) {
                KeyStore cas = emptyStore();
                List<X509Certificate> certs = certificates(tls.caFile(), "CAFile");
                for (int i = 0; i < certs.size(); i++) {
                    cas.setCertificateEntry("ca" + i, certs.get(i));
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(cas);
                trust = tmf.getTrustManagers();
            }
            KeyManager[] keys = null;
            if (tls.certFile() != null) {
                List<X509Certificate> chain = certificates(tls.certFile(), "CertFile");
                PrivateKey key = privateKey(tls.keyFile());
                if (!matches(key, chain.getFirst())) {
                    throw new IOException("KeyFile " + tls.keyFile() + " is not the key of the certificate in CertFile "
                            + tls.certFile());
                }
                KeyStore store = emptyStore();
                store.setKeyEntry("client", key, new char[0], chain.toArray(new X509Certificate[0]));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, new char[0]);
                keys = kmf.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    /** The certificates in PEM file {@code file}, at least one. */
    static List<X509Certificate> certificates(Path file, String field) throws IOException {
        byte[] pem = read(file, field);
        if (!new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            throw new IOException(field + " " + file + " holds no PEM certificate");
        }
        try {
            List<X509Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream().map(c -> (X509Certificate) c).toList();
            return certs;
        } catch (CertificateException e) {
            throw new IOException(field + " " + file + " holds no valid PEM certificate: " + e.getMessage(), e);
        }
    }

    /** The private key in PEM file {@code file} (KeyFile). */
    static PrivateKey privateKey(Path file) throws IOException {
        String where = "KeyFile " + file;
        Matcher m = PEM.matcher(new String(read(file, "KeyFile"), StandardCharsets.US_ASCII));
        while (m.find()) {
            String label = m.group(1);
            if (!label.endsWith("PRIVATE KEY")) {
                continue; // such as EC PARAMETERS before an EC key
            }
            if (label.equals("ENCRYPTED PRIVATE KEY") || m.group(2).contains("Proc-Type:")) {
                throw new IOException(where + " is encrypted, which is not supported; decrypt it with"
                        + " openssl pkcs8 -topk8 -nocrypt -in " + file);
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": the " + label + " is not valid base64", e);
            }
            byte[] pkcs8 = switch (label) {
                case "PRIVATE KEY" -> der;
                case "RSA PRIVATE KEY" -> pkcs8(RSA_ALGORITHM, der);
                case "EC PRIVATE KEY" -> pkcs8(concat(EC_ALGORITHM, curve(der, where, file)), der);
                default -> throw new IOException(where + " holds a " + label + ", not a PKCS#8, RSA or EC private key;"
                        + " convert it with openssl pkcs8 -topk8 -nocrypt -in " + file);
            };
            for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                } catch (GeneralSecurityException e) {
                    // not this algorithm
                }
            }
            throw new IOException(where + ": the " + label + " is not an RSA, EC or EdDSA key the JDK can read");
        }
        throw new IOException(where + " holds no PEM private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    private static byte[] read(Path file, String field) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read " + field + " " + file + ": " + e, e);
        }
    }

    /** Whether {@code key} signs what the public key of {@code cert} verifies. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            byte[] data = "weft".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(data);
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(data);
            return verifier.verify(signer.sign());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0, SEQUENCE { algorithm }, OCTET STRING { key } }. */
    private static byte[] pkcs8(byte[] algorithm, byte[] key) {
        return der(0x30, concat(VERSION_0, der(0x30, algorithm), der(0x04, key)));
    }

    /** The curve OID in a SEC 1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, [0] OID, [1] BIT STRING }. */
    private static byte[] curve(byte[] sec1, String where, Path file) throws IOException {
        try {
            int[] outer = header(sec1, 0);
            for (int pos = outer[0]; pos < outer[0] + outer[1]; ) {
                int[] field = header(sec1, pos);
                if ((sec1[pos] & 0xff) == 0xa0) {
                    byte[] oid = new byte[field[1]];
                    System.arraycopy(sec1, field[0], oid, 0, oid.length);
                    return oid;
                }
                pos = field[0] + field[1];
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IOException(where + ": the EC PRIVATE KEY is not valid DER", e);
        }
        throw new IOException(where + ": the EC PRIVATE KEY does not name its curve; convert it with"
                + " openssl pkcs8 -topk8 -nocrypt -in " + file);
    }

    /** {start of contents, length} of the DER element at {@code pos}. */
    private static int[] header(byte[] der, int pos) {
        int first = der[pos + 1] & 0xff;
        if (first < 0x80) {
            return new int[] {pos + 2, first};
        }
        int length = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            length = length << 8 | der[pos + 2 + i] & 0xff;
        }
        return new int[] {pos + 2 + (first & 0x7f), length};
    }

    private static byte[] der(int tag, byte[] contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = contents.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >> 8 * i);
            }
        }
        out.writeBytes(contents);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** InsecureSkipVerify: any server certificate, for any name. */
    private static final class TrustingAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }
    }
}
