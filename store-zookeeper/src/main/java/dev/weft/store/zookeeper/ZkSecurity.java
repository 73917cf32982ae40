package dev.weft.store.zookeeper;

import dev.weft.store.StoreException;
import dev.weft.store.StoreSecurity;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * How a ZooKeeper client secures itself. TLS: the Netty client socket on the secure client port,
 * the CA file as PEM trust store and the client certificate with its key as PEM key store (a
 * private copy holding both, as ZooKeeper wants them in one file, deleted at {@link #close()}).
 * Digest: the session authenticates as {@code user:password}, and every znode weft creates gets
 * an ACL granting everything to that identity alone, so other clients of the ensemble can neither
 * change nor read weft's state. Without a user, znodes stay open to all, as before.
 */
final class ZkSecurity implements AutoCloseable {
    private final StoreSecurity security;
    private final List<ACL> acl;
    private Path keyStoreDir;

    ZkSecurity(StoreSecurity security) {
        this.security = security;
        // a mutable list: ZooKeeper asks it contains(null), which List.of refuses
        this.acl = security.hasUser() ? new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", digest(security)))))
                : ZooDefs.Ids.OPEN_ACL_UNSAFE;
    }

    /** The ACL of every znode weft creates. */
    List<ACL> acl() {
        return acl;
    }

    /** Adds TLS settings and digest authentication to {@code b}. */
    void apply(CuratorFrameworkFactory.Builder b) {
        b.aclProvider(new org.apache.curator.framework.api.ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return acl;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return acl;
            }
        });
        if (security.hasUser()) {
            b.authorization("digest", (security.user() + ":" + security.password()).getBytes(StandardCharsets.UTF_8));
        }
        if (security.tls()) {
            b.zkClientConfig(tlsConfig());
        }
    }

    private ZKClientConfig tlsConfig() {
        ZKClientConfig c = new ZKClientConfig();
        c.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        c.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        // this client offers only TLS 1.3 by default; ZooKeeper 3.8 servers and older speak 1.2
        c.setProperty("zookeeper.ssl.enabledProtocols", "TLSv1.3,TLSv1.2");
        if (security.caCert() != null) {
            c.setProperty("zookeeper.ssl.trustStore.location", security.caCert().toString());
            c.setProperty("zookeeper.ssl.trustStore.type", "PEM");
        }
        if (security.cert() != null) {
            c.setProperty("zookeeper.ssl.keyStore.location", keyStore().toString());
            c.setProperty("zookeeper.ssl.keyStore.type", "PEM");
        }
        return c;
    }

    private Path keyStore() {
        try {
            keyStoreDir = Files.createTempDirectory("weft-zk-tls", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Path file = keyStoreDir.resolve("client.pem");
            Files.writeString(file, Files.readString(security.key()) + Files.readString(security.cert()));
            return file;
        } catch (IOException e) {
            throw new StoreException("cannot prepare the ZooKeeper key store from " + security.cert() + " and "
                    + security.key() + ": " + e.getMessage(), e);
        }
    }

    private static String digest(StoreSecurity s) {
        try {
            return DigestAuthenticationProvider.generateDigest(s.user() + ":" + s.password());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA1 is missing from this JDK", e);
        }
    }

    @Override
    public void close() {
        if (keyStoreDir != null) {
            try {
                Files.deleteIfExists(keyStoreDir.resolve("client.pem"));
                Files.deleteIfExists(keyStoreDir);
            } catch (IOException e) {
                // a private temporary directory; nothing else to do
            }
        }
    }
}
