package dev.weft.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A versioned key-value store: the one interface weft keeps its state behind, implemented by the
 * embedded local store and by the etcd and ZooKeeper backends. Keys are '/'-separated paths.
 * Every change gets the next store-wide revision, and an entry's {@code version} is the revision
 * of its last change, so compare-and-swap and watches speak the same numbers.
 */
public interface Store extends AutoCloseable {

    /** The entry at {@code key}, if any. */
    Optional<KvEntry> get(String key);

    /** Every entry whose key starts with {@code prefix}, sorted by key. */
    List<KvEntry> list(String prefix);

    /** Writes {@code value} at {@code key} unconditionally and returns the new entry. */
    KvEntry put(String key, byte[] value);

    /**
     * Compare-and-swap: writes only if the key's current version is {@code expectedVersion}
     * ({@code 0}: only if the key does not exist). Throws {@link VersionConflictException}
     * otherwise, leaving the store unchanged.
     */
    KvEntry putIfVersion(String key, byte[] value, long expectedVersion);

    /**
     * Writes an entry that lives only as long as this client's session: an etcd lease or a
     * ZooKeeper ephemeral node, kept alive while the client runs. It disappears (and watchers see
     * it deleted) when the client closes, or when the client dies and its session expires. Hosts
     * announce their liveness this way. A later {@link #put} of the same key makes it permanent.
     */
    KvEntry putEphemeral(String key, byte[] value);

    /** Deletes {@code key}; returns false if there was nothing to delete. */
    boolean delete(String key);

    /** Deletes {@code key} only if its version is {@code expectedVersion}; else VersionConflictException. */
    void deleteIfVersion(String key, long expectedVersion);

    /** The store's current revision: the revision of its latest change. */
    long revision();

    /**
     * Delivers every change under {@code prefix} made after revision {@code afterRevision}, in
     * revision order, first the ones already made, then new ones as they happen. List at a
     * revision, then watch from it, and nothing is missed or seen twice. Throws
     * {@link CompactedException} if the store no longer remembers changes that old.
     */
    Watch watch(String prefix, long afterRevision, Consumer<StoreEvent> listener);

    @Override
    void close();
}
