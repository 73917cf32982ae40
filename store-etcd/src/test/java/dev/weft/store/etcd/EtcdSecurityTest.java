package dev.weft.store.etcd;

import dev.weft.store.Store;
import dev.weft.store.StoreException;
import dev.weft.store.StoreSecurity;
import dev.weft.store.StoreUrl;
import dev.weft.testkit.Certificates;
import dev.weft.testkit.StoreServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real etcd with {@code --client-cert-auth --trusted-ca-file --cert-file --key-file}, and a
 * plain one with user authentication enabled by etcdctl: the right certificate or password opens
 * the store; another CA's certificate, a CA that did not sign the server, an expired certificate
 * and a wrong password are refused within seconds with one line naming what was wrong.
 */
class EtcdSecurityTest {
    @TempDir
    static Path dir;
    private static Certificates certs;
    private static StoreServer tls;

    @BeforeAll
    static void start() {
        certs = Certificates.make(dir.resolve("certs"));
        tls = StoreServer.etcdTls(null, dir.resolve("etcd"), certs);
    }

    @AfterAll
    static void stop() {
        if (tls != null) {
            tls.close();
        }
    }

    private static StoreUrl url(StoreServer server, StoreSecurity security) {
        return StoreUrl.parse(server.url() + "/sec").withSecurity(security);
    }

    @Test
    void aClientCertificateOfTheTrustedCaOpensTheStore() {
        assertThat(tls.url()).startsWith("etcds://");
        try (Store s = EtcdStore.open(url(tls, StoreSecurity.tls(certs.ca(), certs.cert("client"), certs.key("client"))))) {
            s.put("k", "v".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(s.get("k").orElseThrow().value(), StandardCharsets.UTF_8)).isEqualTo("v");
        }
    }

    @Test
    void aCertificateOfAnotherCaIsRefusedWithOneLine() {
        refused(url(tls, StoreSecurity.tls(certs.ca(), certs.cert("other-client"), certs.key("other-client"))),
                "rejected this host's client certificate " + certs.cert("other-client"));
    }

    @Test
    void noClientCertificateIsRefused() {
        refused(url(tls, StoreSecurity.tls(certs.ca(), null, null)), "rejected this host's client certificate (none given");
    }

    @Test
    void aServerNotSignedByTheGivenCaIsRefused() {
        refused(url(tls, StoreSecurity.tls(certs.otherCa(), certs.cert("client"), certs.key("client"))),
                "its server certificate is not signed by the CA in " + certs.otherCa());
    }

    @Test
    void anExpiredClientCertificateIsNamedBeforeConnecting() {
        assertThatThrownBy(() -> StoreSecurity.tls(certs.ca(), certs.cert("expired-client"), certs.key("expired-client")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the client certificate " + certs.cert("expired-client")
                        + " expired on 2020-01-02T00:00:00Z (--kv-cert): renew it");
    }

    @Test
    void userAndPassword() throws Exception {
        try (StoreServer plain = StoreServer.etcdOnLoopback(dir.resolve("etcd-auth"))) {
            String at = "http://" + plain.hostPort();
            etcdctl(at, "user", "add", "root", "--new-user-password=rootpw");
            etcdctl(at, "user", "add", "weft", "--new-user-password=weftpw");
            etcdctl(at, "role", "add", "weft");
            etcdctl(at, "role", "grant-permission", "weft", "--prefix=true", "readwrite", "/sec/");
            etcdctl(at, "user", "grant-role", "weft", "weft");
            etcdctl(at, "auth", "enable");
            try (Store s = EtcdStore.open(url(plain, StoreSecurity.NONE.withUser("weft", "weftpw")))) {
                s.put("k", "v".getBytes(StandardCharsets.UTF_8));
                assertThat(s.get("k")).isPresent();
            }
            refused(url(plain, StoreSecurity.NONE.withUser("weft", "wrong")),
                    "refused user 'weft': wrong user name or password");
            refused(url(plain, StoreSecurity.NONE), "requires authentication: give --kv-user");
        }
    }

    private static void refused(StoreUrl url, String message) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> EtcdStore.open(url).close()).isInstanceOf(StoreException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).as("one line").doesNotContain("\n"));
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("bounded").isLessThan(10);
    }

    private static void etcdctl(String endpoint, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoint, "--user=root:rootpw"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
    }
}
