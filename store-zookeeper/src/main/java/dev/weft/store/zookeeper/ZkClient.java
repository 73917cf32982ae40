package dev.weft.store.zookeeper;

import dev.weft.store.StoreException;
import dev.weft.store.StoreUnavailableException;
import dev.weft.store.StoreSecurity;
import dev.weft.store.StoreUrl;
import dev.weft.store.TlsProbe;
import org.apache.curator.RetryLoop;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryUntilElapsed;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The Curator connection behind a ZooKeeper store, and the few ZooKeeper calls the store makes,
 * each bounded in time: an operation waits at most {@link #CONNECT_TIMEOUT} for a connection and
 * is retried for at most {@link #RETRY_FOR}, then fails with a StoreException naming the address.
 */
final class ZkClient implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration RETRY_FOR = Duration.ofSeconds(3);
    /**
     * How long the first connection may take: longer than an operation's wait, since a client's
     * first TLS session (key and trust stores read, Netty started) can take seconds on a loaded
     * machine; weftd's --kv-wait retries beyond it.
     */
    static final Duration OPEN_TIMEOUT = Duration.ofSeconds(5);
    private static final int READ_BATCH = 200;

    /** A node's content and stat. */
    record Node(byte[] data, Stat stat) {
    }

    private final CuratorFramework curator;
    private final String address;
    private final ZkSecurity security;

    private ZkClient(CuratorFramework curator, String address, ZkSecurity security) {
        this.curator = curator;
        this.address = address;
        this.security = security;
    }

    /** Connects without TLS or authentication (tests). */
    static ZkClient connect(String connectString, Duration sessionTtl) {
        return connect(connectString, sessionTtl, StoreSecurity.NONE);
    }

    /**
     * Connects, secured as {@code s} says (a refused TLS handshake is named at once by
     * {@link TlsProbe}), or fails within {@link #OPEN_TIMEOUT} with a StoreException naming
     * the address.
     */
    static ZkClient connect(String connectString, Duration sessionTtl, StoreSecurity s) {
        String first = connectString.split(",")[0];
        int colon = first.lastIndexOf(':');
        TlsProbe.check("ZooKeeper", new StoreUrl.Endpoint(first.substring(0, colon).replaceAll("^\\[|]$", ""),
                Integer.parseInt(first.substring(colon + 1))), s);
        ZkSecurity security = new ZkSecurity(s);
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs((int) sessionTtl.toMillis())
                .connectionTimeoutMs((int) CONNECT_TIMEOUT.toMillis())
                .retryPolicy(new RetryUntilElapsed((int) RETRY_FOR.toMillis(), 200));
        security.apply(builder);
        CuratorFramework curator = builder.build();
        curator.start();
        boolean connected;
        try {
            connected = curator.blockUntilConnected((int) OPEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connected = false;
        }
        if (!connected) {
            curator.close();
            security.close();
            throw new StoreUnavailableException("cannot reach ZooKeeper at " + connectString + " within "
                    + OPEN_TIMEOUT.toSeconds() + " s (is it running and listening on that address"
                    + (s.tls() ? ", its secure client port?)" : "?)"), null);
        }
        return new ZkClient(curator, connectString, security);
    }

    /** The ACL of every znode this client creates. */
    List<org.apache.zookeeper.data.ACL> acl() {
        return security.acl();
    }

    /** The ZooKeeper handle of the current session (tests end sessions through it). */
    ZooKeeper zooKeeper() {
        return call("connect", () -> curator.getZookeeperClient().getZooKeeper());
    }

    String address() {
        return address;
    }

    /** The id of the session this client's ephemeral nodes belong to now. */
    long sessionId() {
        return zooKeeper().getSessionId();
    }

    /** The node at {@code path}, or null if there is none. */
    Node read(String path) {
        return call("read " + path, () -> {
            Stat stat = new Stat();
            try {
                return new Node(curator.getData().storingStatIn(stat).forPath(path), stat);
            } catch (KeeperException.NoNodeException e) {
                return null;
            }
        });
    }

    /** Like {@link #read}, leaving {@code watcher} set on the node to hear of its next change. */
    Node readAndWatch(String path, Watcher watcher) {
        return call("read " + path, () -> {
            Stat stat = new Stat();
            return new Node(curator.getData().storingStatIn(stat).usingWatcher(watcher).forPath(path), stat);
        });
    }

    Stat exists(String path) {
        return call("read " + path, () -> curator.checkExists().forPath(path));
    }

    List<String> children(String path) {
        return call("list " + path, () -> curator.getChildren().forPath(path));
    }

    /**
     * The contents of {@code paths} (null where a node is missing), read in one atomic multi-read
     * per {@value #READ_BATCH} nodes instead of one round trip each.
     */
    List<byte[]> readAll(List<String> paths) {
        List<byte[]> out = new ArrayList<>(paths.size());
        for (int from = 0; from < paths.size(); from += READ_BATCH) {
            List<Op> ops = paths.subList(from, Math.min(paths.size(), from + READ_BATCH)).stream()
                    .map(Op::getData).map(Op.class::cast).toList();
            List<OpResult> results;
            try {
                results = multi(ops);
            } catch (KeeperException e) {
                results = e.getResults();
            }
            for (OpResult r : results) {
                out.add(r instanceof OpResult.GetDataResult d ? d.getData() : null);
            }
        }
        return out;
    }

    /** Creates {@code path} (and its parents) holding {@code data}, unless it exists. */
    void ensure(String path, byte[] data) {
        call("create " + path, () -> {
            try {
                curator.create().creatingParentsIfNeeded().forPath(path, data);
            } catch (KeeperException.NodeExistsException e) {
                // made by another client first
            }
            return null;
        });
    }

    /** Deletes {@code path} in the background, ignoring any failure. */
    void deleteQuietly(String path) {
        call("delete " + path, () -> curator.delete().inBackground((c, e) -> { }).forPath(path));
    }

    /**
     * Runs {@code ops} as one ZooKeeper transaction. A KeeperException that is not a connection
     * failure (a version check or existence check that did not hold) reaches the caller, with
     * the per-operation results in {@link KeeperException#getResults()}.
     */
    List<OpResult> multi(List<Op> ops) throws KeeperException {
        try {
            return RetryLoop.callWithRetry(curator.getZookeeperClient(),
                    () -> curator.getZookeeperClient().getZooKeeper().multi(ops));
        } catch (KeeperException e) {
            if (isConnectionFailure(e)) {
                throw failure("commit a change", e);
            }
            throw e;
        } catch (Exception e) {
            throw failure("commit a change", e);
        }
    }

    /** The index of the operation that made a failed {@link #multi} fail, or -1. */
    static int failedOp(KeeperException e) {
        List<OpResult> results = e.getResults();
        for (int i = 0; results != null && i < results.size(); i++) {
            if (results.get(i) instanceof OpResult.ErrorResult err
                    && err.getErr() != KeeperException.Code.OK.intValue()
                    && err.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                return i;
            }
        }
        return -1;
    }

    private <T> T call(String what, Callable<T> action) {
        try {
            return action.call();
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw failure(what, e);
        }
    }

    private StoreException failure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String why = e instanceof KeeperException ke && isConnectionFailure(ke)
                ? "not connected (" + ke.code() + ")" : String.valueOf(e.getMessage());
        return new StoreException("ZooKeeper at " + address + ": cannot " + what + ": " + why, e);
    }

    private static boolean isConnectionFailure(KeeperException e) {
        return switch (e.code()) {
            case CONNECTIONLOSS, SESSIONEXPIRED, OPERATIONTIMEOUT, SESSIONMOVED -> true;
            default -> false;
        };
    }

    @Override
    public void close() {
        curator.close();
        security.close();
    }
}
