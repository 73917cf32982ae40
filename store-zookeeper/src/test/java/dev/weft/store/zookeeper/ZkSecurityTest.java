package dev.weft.store.zookeeper;

import dev.weft.store.Store;
import dev.weft.store.StoreException;
import dev.weft.store.StoreSecurity;
import dev.weft.store.StoreUrl;
import dev.weft.testkit.Certificates;
import dev.weft.testkit.StoreServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real ZooKeeper with a secure client port (Netty, PEM key and trust stores made by openssl,
 * client certificates required) beside its plain one: weft connects over TLS as a digest
 * identity and its znodes get that identity's ACL, so another client, on either port, can neither
 * change nor delete them; a certificate of another CA and a wrong password are refused with one
 * line.
 */
class ZkSecurityTest {
    @TempDir
    static Path dir;
    private static Certificates certs;
    private static StoreServer zk;

    @BeforeAll
    static void start() {
        certs = Certificates.make(dir.resolve("certs"));
        zk = StoreServer.zookeeperTlsOnLoopback(dir.resolve("zk"), certs);
    }

    @AfterAll
    static void stop() {
        if (zk != null) {
            zk.close();
        }
    }

    private static StoreUrl url(String prefix, StoreSecurity s) {
        return StoreUrl.parse(zk.url() + "/" + prefix).withSecurity(s);
    }

    private static StoreSecurity tls(String client) {
        return StoreSecurity.tls(certs.ca(), certs.cert(client), certs.key(client));
    }

    @Test
    void weftsZnodesBelongToItsDigestIdentityAlone() throws Exception {
        assertThat(zk.url()).startsWith("zks://");
        try (Store s = ZkStore.open(url("acl", tls("client").withUser("weft", "weftpw")))) {
            s.put("k", "v".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(s.get("k").orElseThrow().value(), StandardCharsets.UTF_8)).isEqualTo("v");
            String node = ZkLayout.forPrefix("acl").data("k");
            try (ZkClient other = ZkClient.connect(zk.plainHostPort(), Duration.ofSeconds(5))) {
                assertThatThrownBy(() -> other.zooKeeper().setData(node, "x".getBytes(StandardCharsets.UTF_8), -1))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> other.zooKeeper().delete(node, -1)).isInstanceOf(KeeperException.NoAuthException.class);
            }
            try (ZkClient other = ZkClient.connect(zk.hostPort(), Duration.ofSeconds(5), tls("client").withUser("weft", "wrong"))) {
                assertThatThrownBy(() -> other.zooKeeper().setData(node, "x".getBytes(StandardCharsets.UTF_8), -1))
                        .as("the same certificate with another password").isInstanceOf(KeeperException.NoAuthException.class);
            }
            assertThat(new String(s.get("k").orElseThrow().value(), StandardCharsets.UTF_8)).isEqualTo("v");
        }
        refused(url("acl", tls("client").withUser("weft", "wrong")), "refused access to weft's znodes under /acl: wrong --kv-user or password");
        refused(url("acl", tls("client")), "refused access to weft's znodes under /acl: they need --kv-user");
        try (Store again = ZkStore.open(url("acl", tls("client").withUser("weft", "weftpw")))) {
            assertThat(again.get("k")).as("the right identity, again").isPresent();
        }
    }

    @Test
    void aCertificateOfAnotherCaIsRefusedWithOneLine() {
        refused(url("other", tls("other-client").withUser("weft", "weftpw")),
                "rejected this host's client certificate " + certs.cert("other-client"));
    }

    @Test
    void aServerNotSignedByTheGivenCaIsRefused() {
        refused(url("other", StoreSecurity.tls(certs.otherCa(), certs.cert("client"), certs.key("client"))),
                "its server certificate is not signed by the CA in " + certs.otherCa());
    }

    private static void refused(StoreUrl url, String message) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> ZkStore.open(url).close()).isInstanceOf(StoreException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).as("one line").doesNotContain("\n"));
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("bounded").isLessThan(10);
    }
}
