package dev.weft.store.zookeeper;

import dev.weft.store.CompactedException;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;
import dev.weft.store.StoreEvent;
import dev.weft.store.StoreException;
import dev.weft.store.StoreUrl;
import dev.weft.store.Watch;
import org.apache.zookeeper.KeeperException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The Store on ZooKeeper, through Apache Curator.
 *
 * <p><b>Layout</b> (see {@link ZkLayout}): under {@code /PREFIX}, every entry is one node
 * {@code data/<url-encoded key>} whose content starts with the revision of its last change; a
 * node {@code revision} counts changes store-wide; {@code log/<revision>} records each change.
 * The data nodes are flat rather than one znode per path segment because the Store's prefixes
 * are string prefixes ("net" lists "netx/c" too, so siblings must be scanned anyway), because a
 * key may both hold a value and be a prefix of others, and because an ephemeral node cannot have
 * children. {@link #list} is one getChildren of {@code data} and atomic multi-reads of the
 * matches; it suits the thousands of keys weft keeps (a getChildren answer must fit ZooKeeper's
 * 1 MB jute.maxbuffer: tens of thousands of keys).
 *
 * <p><b>Revisions</b>: ZooKeeper has no store-wide revision that clients can read with a node's
 * content (the zxid of a node's last change is one, but it is not dense, and a delete leaves
 * nothing to read it from), so {@link ZkWriter} keeps one: each change is one transaction that
 * bumps the counter with an expected version, changes the data node and appends the log node.
 * Writes are therefore serialised store-wide, like etcd's. Watches ({@link ZkWatch}) replay the
 * log, which keeps the last {@code logLimit} changes; a watch from an older revision gets a
 * {@link CompactedException}.
 *
 * <p><b>Ephemeral entries</b> are EPHEMERAL nodes of this client's session, each with a
 * persistent marker. {@link #close} deletes them as ordinary changes, so watchers see them
 * deleted. If the client dies instead, ZooKeeper removes the nodes when the session expires
 * (after {@link StoreUrl#sessionTtl()}), and the next sweep of any client of the store, run at
 * open and every {@code sessionTtl / 2}, finds the markers without nodes and logs the deletions:
 * watchers see them at most half a session TTL late, and until some client of the store runs, not
 * at all. If this client's own session expires while it runs (a long pause), its ephemeral
 * entries are gone the same way; Curator starts a new session, and the owner must put them again.
 *
 * <p>Reads see this client's view, which includes its own writes and may trail other clients'
 * by the time ZooKeeper takes to propagate them. Every call fails within a few seconds with a
 * StoreException naming the address when ZooKeeper cannot be reached.
 */
public final class ZkStore implements Store {
    static final int DEFAULT_LOG_LIMIT = 10_000;

    private final ZkClient client;
    private final ZkLayout layout;
    private final ZkWriter writer;
    private final int logLimit;
    private final Set<String> ephemeralKeys = ConcurrentHashMap.newKeySet();
    private final List<ZkWatch> watches = new CopyOnWriteArrayList<>();
    private final Thread sweeper;

    private ZkStore(ZkClient client, ZkLayout layout, int logLimit, long sweepMillis) {
        this.client = client;
        this.layout = layout;
        this.logLimit = logLimit;
        for (String dir : List.of(layout.dataDir(), layout.logDir(), layout.markerDir())) {
            client.ensure(dir, new byte[0]);
        }
        client.ensure(layout.revision(), ZkCodec.longBytes(0));
        this.writer = new ZkWriter(client, layout, logLimit);
        writer.sweepExpiredEphemerals();
        this.sweeper = Thread.ofVirtual().name("zk-store-sweeper " + layout.root()).start(() -> sweepEvery(sweepMillis));
    }

    /** Connects to the store at {@code url}; fails with a StoreException naming the address. */
    public static ZkStore open(StoreUrl url) {
        return open(url, DEFAULT_LOG_LIMIT);
    }

    static ZkStore open(StoreUrl url, int logLimit) {
        ZkClient client = ZkClient.connect(url.connectString(), url.sessionTtl(), url.security());
        try {
            return new ZkStore(client, ZkLayout.forPrefix(url.prefix()), logLimit,
                    Math.max(100, url.sessionTtl().toMillis() / 2));
        } catch (StoreException e) {
            client.close();
            if (causedBy(e, KeeperException.NoAuthException.class)) {
                throw new StoreException("ZooKeeper at " + url.connectString() + " refused access to weft's znodes under /"
                        + url.prefix() + (url.security().hasUser() ? ": wrong --kv-user or password" : ": they need --kv-user and its password")
                        + " (their ACL grants them to one digest identity)", e);
            }
            throw e;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Optional<KvEntry> get(String key) {
        validate(key);
        ZkClient.Node n = client.read(layout.data(key));
        return n == null ? Optional.empty() : Optional.of(ZkCodec.entry(key, n.data()));
    }

    @Override
    public List<KvEntry> list(String prefix) {
        List<String> keys = client.children(layout.dataDir()).stream()
                .map(ZkCodec::keyOf).filter(k -> k.startsWith(prefix)).sorted().toList();
        List<byte[]> contents = client.readAll(keys.stream().map(layout::data).toList());
        List<KvEntry> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            if (contents.get(i) != null) {
                out.add(ZkCodec.entry(keys.get(i), contents.get(i)));
            }
        }
        return out;
    }

    @Override
    public KvEntry put(String key, byte[] value) {
        return put(key, value, -1, ZkWriter.Mode.PUT);
    }

    @Override
    public KvEntry putIfVersion(String key, byte[] value, long expectedVersion) {
        return put(key, value, expectedVersion, ZkWriter.Mode.PUT);
    }

    @Override
    public KvEntry putEphemeral(String key, byte[] value) {
        return put(key, value, -1, ZkWriter.Mode.PUT_EPHEMERAL);
    }

    private KvEntry put(String key, byte[] value, long expected, ZkWriter.Mode mode) {
        validate(key);
        byte[] copy = value.clone();
        long rev = writer.write(key, copy, expected, mode);
        if (mode == ZkWriter.Mode.PUT_EPHEMERAL) {
            ephemeralKeys.add(key);
        } else {
            ephemeralKeys.remove(key);
        }
        return new KvEntry(key, copy, rev);
    }

    @Override
    public boolean delete(String key) {
        validate(key);
        ephemeralKeys.remove(key);
        return writer.write(key, null, -1, ZkWriter.Mode.DELETE) >= 0;
    }

    @Override
    public void deleteIfVersion(String key, long expectedVersion) {
        validate(key);
        writer.write(key, null, expectedVersion, ZkWriter.Mode.DELETE);
        ephemeralKeys.remove(key);
    }

    @Override
    public long revision() {
        return writer.refresh();
    }

    @Override
    public Watch watch(String prefix, long afterRevision, Consumer<StoreEvent> listener) {
        long current = writer.refresh();
        if (afterRevision < current && client.exists(layout.log(afterRevision + 1)) == null) {
            throw new CompactedException(afterRevision, Math.max(afterRevision + 2, current - logLimit + 1));
        }
        ZkWatch watch = new ZkWatch(client, layout, prefix, afterRevision, listener, watches::remove);
        watches.add(watch);
        watch.start();
        return watch;
    }

    /** Deletes this client's ephemeral entries as logged changes, stops its watches, ends its session. */
    @Override
    public void close() {
        sweeper.interrupt();
        for (ZkWatch w : watches) {
            w.close();
        }
        try {
            for (String key : List.copyOf(ephemeralKeys)) {
                writer.write(key, null, -1, ZkWriter.Mode.DELETE_IF_OWNED);
            }
        } catch (StoreException e) {
            System.getLogger(ZkStore.class.getName()).log(System.Logger.Level.WARNING, e.getMessage()
                    + "; this client's ephemeral entries go when its session expires");
        } finally {
            ephemeralKeys.clear();
            client.close();
        }
    }

    private void sweepEvery(long millis) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(millis);
                writer.sweepExpiredEphemerals();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) { // ZooKeeper unreachable, or the client closing
                System.getLogger(ZkStore.class.getName()).log(System.Logger.Level.DEBUG,
                        "sweep of expired ephemeral entries: " + e.getMessage());
            }
        }
    }

    ZkClient client() {
        return client;
    }

    private static void validate(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("store key must not be empty");
        }
    }
}
