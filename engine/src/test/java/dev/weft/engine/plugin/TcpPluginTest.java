package dev.weft.engine.plugin;

import dev.weft.engine.Controller;
import dev.weft.engine.ControllerFixture;
import dev.weft.engine.Endpoint;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.Network;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Sandbox;
import dev.weft.engine.SandboxOptions;
import dev.weft.engine.WeftException;
import dev.weft.engine.driver.remote.RemoteDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Plugins on TCP, in plain HTTP and in HTTPS, on real sockets on 127.0.0.1: the certificates (a
 * CA, a server certificate for IP 127.0.0.1, client certificates, and a second CA that signed
 * nothing here) are made with the openssl command once for the class.
 */
class TcpPluginTest {
    private static final String PLUGIN = "fakenet";

    private enum Kind { PLAIN, TLS, CLIENT_AUTH }

    @TempDir
    static Path certs;
    @TempDir
    Path specs;
    private ControllerFixture fixture;
    private Controller controller;
    private FakePlugin plugin;

    @BeforeAll
    static void makeCertificates() throws Exception {
        String ec = "ec_paramgen_curve:P-256";
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "1", "-subj", "/CN=weft test CA");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout", "other-ca.key", "-out",
                "other-ca.pem", "-days", "1", "-subj", "/CN=another CA");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout", "server.key", "-out",
                "server.pem", "-days", "1", "-subj", "/CN=plugin", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-addext", "subjectAltName=IP:127.0.0.1");
        openssl("pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-out", "server.p12",
                "-passout", "pass:test");
        openssl("genrsa", "-traditional", "-out", "client-rsa.key", "2048"); // BEGIN RSA PRIVATE KEY
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "client-ec.key"); // EC PARAMETERS, EC PRIVATE KEY
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "client-ec.key", "-out", "client-pkcs8.key"); // BEGIN PRIVATE KEY
        for (String key : List.of("rsa", "ec")) {
            openssl("req", "-x509", "-new", "-key", "client-" + key + ".key", "-out", "client-" + key + ".pem",
                    "-days", "1", "-subj", "/CN=weft", "-CA", "ca.pem", "-CAkey", "ca.key");
        }
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(certs.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("%s: %s", command, out).isZero();
    }

    /** The server's side: its certificate, and the CA it checks client certificates with. */
    private static SSLContext serverTls() throws GeneralSecurityException, IOException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certs.resolve("server.p12"))) {
            keys.load(in, "test".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "test".toCharArray());
        KeyStore cas = KeyStore.getInstance("PKCS12");
        cas.load(null, null);
        cas.setCertificateEntry("ca", PluginTls.certificates(certs.resolve("ca.pem"), "CA").getFirst());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(cas);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    private void start(Kind kind) throws Exception {
        start(Duration.ofSeconds(5));
        plugin = switch (kind) {
            case PLAIN -> FakePlugin.tcp(fixture.host(), null, false);
            case TLS -> FakePlugin.tcp(fixture.host(), serverTls(), false);
            case CLIENT_AUTH -> FakePlugin.tcp(fixture.host(), serverTls(), true);
        };
    }

    private void start(Duration timeout) {
        fixture = new ControllerFixture("rt", h -> {
            PluginDiscovery discovery = new PluginDiscovery(List.of(), List.of(specs));
            return List.of(new RemoteDriver(new PluginClient(PLUGIN, () -> discovery.address(PLUGIN), timeout,
                    List.of(Duration.ofMillis(10), Duration.ofMillis(20))), h));
        });
        controller = fixture.controller();
    }

    @AfterEach
    void stop() {
        if (plugin != null) {
            plugin.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    private void spec(String url) throws IOException {
        Files.writeString(specs.resolve(PLUGIN + ".spec"), url + "\n");
    }

    /** A NAME.json for the plugin's port with {@code tls} as its TLSConfig (JSON). */
    private void json(int port, String tls) throws IOException {
        Files.writeString(specs.resolve(PLUGIN + ".json"), "{\"Name\": \"" + PLUGIN + "\", \"Addr\": \"https://127.0.0.1:"
                + port + "\", \"TLSConfig\": " + tls + "}");
    }

    private static String tlsConfig(String... fields) {
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < fields.length; i += 2) {
            String value = fields[i + 1];
            pairs.add("\"" + fields[i] + "\": " + (value.equals("true") ? value : "\"" + certs.resolve(value) + "\""));
        }
        return "{" + String.join(", ", pairs) + "}";
    }

    private Network network() {
        return controller.newNetwork(NetworkConfig.of("blue", PLUGIN).withIpv4(IpamConfig.subnet("192.0.2.0/24")));
    }

    private void assertNothingMade() {
        assertThat(controller.networks()).extracting(Network::name).doesNotContain("blue");
        assertThat(plugin.methods()).as("no call reached the plugin").isEmpty();
    }

    @Test
    void aSpecTcpPluginInPlainHttpCreatesANetworkAndAnEndpoint() throws Exception {
        start(Kind.PLAIN);
        spec("tcp://127.0.0.1:" + plugin.port());
        Network net = network();
        Sandbox sb = controller.newSandbox("c1", SandboxOptions.named("c1"));
        Endpoint ep = net.createEndpoint("c1");
        ep.join(sb);

        assertThat(plugin.methods()).containsExactly("Plugin.Activate", "NetworkDriver.GetCapabilities",
                "NetworkDriver.CreateNetwork", "NetworkDriver.CreateEndpoint", "NetworkDriver.Join",
                "NetworkDriver.ProgramExternalConnectivity");
        assertThat(plugin.calls()).allSatisfy(c -> assertThat(c.accept()).isEqualTo(PluginClient.ACCEPT));
        assertThat(plugin.last("NetworkDriver.CreateEndpoint").get("EndpointID").asText()).isEqualTo(ep.id());
        ep.leave(sb);
        ep.delete();
        net.delete();
        assertThat(plugin.methods()).endsWith("NetworkDriver.Leave", "NetworkDriver.DeleteEndpoint",
                "NetworkDriver.DeleteNetwork");
    }

    @Test
    void aJsonTlsPluginIsVerifiedWithItsCaFile() throws Exception {
        start(Kind.TLS);
        json(plugin.port(), tlsConfig("CAFile", "ca.pem"));
        network().delete();
        assertThat(plugin.methods()).contains("NetworkDriver.CreateNetwork", "NetworkDriver.DeleteNetwork");
    }

    @Test
    void aServerSignedByAnotherCaIsAClearErrorAndNothingIsMade() throws Exception {
        start(Kind.TLS);
        json(plugin.port(), tlsConfig("CAFile", "other-ca.pem"));
        assertThatThrownBy(this::network).isInstanceOf(WeftException.class)
                .hasMessageStartingWith("network plugin fakenet: Plugin.Activate failed: TLS with 127.0.0.1:" + plugin.port()
                        + " failed (the TLS handshake): ")
                .hasMessageContaining("certification path");
        assertNothingMade();
    }

    @Test
    void aClientCertificateTheServerRequiresIsShownWhenGivenAndItsLackIsClear() throws Exception {
        start(Kind.CLIENT_AUTH);
        json(plugin.port(), tlsConfig("CAFile", "ca.pem"));
        assertThatThrownBy(this::network).isInstanceOf(WeftException.class)
                .hasMessageStartingWith("network plugin fakenet: Plugin.Activate failed: TLS with 127.0.0.1:" + plugin.port())
                .hasMessageContaining("certificate"); // the server's alert, or our hint when it just hangs up
        assertNothingMade();

        json(plugin.port(), tlsConfig("CAFile", "ca.pem", "CertFile", "client-rsa.pem", "KeyFile", "client-rsa.key"));
        network().delete();
        assertThat(plugin.methods()).startsWith("Plugin.Activate").contains("NetworkDriver.CreateNetwork");
    }

    @Test
    void insecureSkipVerifyNeedsNoCa() throws Exception {
        start(Kind.TLS);
        json(plugin.port(), tlsConfig("InsecureSkipVerify", "true"));
        network().delete();
        assertThat(plugin.methods()).contains("NetworkDriver.CreateNetwork");
    }

    @Test
    void aClosedTcpPortIsRetriedThenNotAnswering() throws Exception {
        start(Kind.PLAIN);
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        spec("tcp://127.0.0.1:" + closed);
        assertThatThrownBy(this::network).isInstanceOf(WeftException.class).hasMessageStartingWith(
                "network plugin fakenet is not answering (Plugin.Activate, 3 tries): cannot connect to 127.0.0.1:" + closed);
        assertNothingMade();
    }

    @Test
    void aTlsServerThatNeverHandshakesOrAnswersTimesOut() throws Exception {
        start(Duration.ofMillis(300));
        plugin = FakePlugin.tcp(fixture.host(), serverTls(), false);
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) { // never accepts
            json(silent.getLocalPort(), tlsConfig("CAFile", "ca.pem"));
            long t0 = System.nanoTime();
            assertThatThrownBy(this::network).hasMessage("network plugin fakenet did not answer Plugin.Activate within"
                    + " 300 ms: no reply in time (the TLS handshake)");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
        json(plugin.port(), tlsConfig("CAFile", "ca.pem"));
        plugin.hang("NetworkDriver.CreateNetwork");
        assertThatThrownBy(this::network).hasMessage("network plugin fakenet did not answer NetworkDriver.CreateNetwork"
                + " within 300 ms: no reply in time (waiting for the reply)");
        assertThat(controller.networks()).extracting(Network::name).doesNotContain("blue");
    }

    @Test
    void badTlsFilesAreErrorsNamingTheFile() throws Exception {
        start(Kind.TLS);
        json(plugin.port(), tlsConfig("CAFile", "missing.pem"));
        assertThatThrownBy(this::network).hasMessageStartingWith("network plugin fakenet: Plugin.Activate failed: cannot"
                + " read CAFile " + certs.resolve("missing.pem"));
        json(plugin.port(), tlsConfig("CAFile", "ca.key"));
        assertThatThrownBy(this::network).hasMessage("network plugin fakenet: Plugin.Activate failed: CAFile "
                + certs.resolve("ca.key") + " holds no PEM certificate");
        json(plugin.port(), tlsConfig("CAFile", "ca.pem", "CertFile", "client-rsa.pem", "KeyFile", "client-rsa.pem"));
        assertThatThrownBy(this::network).hasMessageContaining("KeyFile " + certs.resolve("client-rsa.pem")
                + " holds no PEM private key");
        json(plugin.port(), tlsConfig("CAFile", "ca.pem", "CertFile", "client-rsa.pem", "KeyFile", "client-ec.key"));
        assertThatThrownBy(this::network).hasMessageContaining("KeyFile " + certs.resolve("client-ec.key")
                + " is not the key of the certificate in CertFile " + certs.resolve("client-rsa.pem"));
        assertNothingMade();
    }

    @Test
    void privateKeysAreReadInPkcs8RsaAndEcPem() throws Exception {
        assertThat(PluginTls.privateKey(certs.resolve("client-rsa.key")).getAlgorithm()).isEqualTo("RSA");
        assertThat(PluginTls.privateKey(certs.resolve("client-ec.key")).getAlgorithm()).isEqualTo("EC");
        assertThat(((ECPrivateKey) PluginTls.privateKey(certs.resolve("client-pkcs8.key"))).getS())
                .isEqualTo(((ECPrivateKey) PluginTls.privateKey(certs.resolve("client-ec.key"))).getS());
        Path encrypted = certs.resolve("encrypted.key");
        Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PluginTls.privateKey(encrypted)).hasMessage("KeyFile " + encrypted
                + " is encrypted, which is not supported; decrypt it with openssl pkcs8 -topk8 -nocrypt -in " + encrypted);
    }

    @Test
    void anEcClientKeyWorksToo() throws Exception {
        start(Kind.CLIENT_AUTH);
        json(plugin.port(), tlsConfig("CAFile", "ca.pem", "CertFile", "client-ec.pem", "KeyFile", "client-pkcs8.key"));
        network().delete();
        assertThat(plugin.methods()).contains("NetworkDriver.CreateNetwork");
    }
}
