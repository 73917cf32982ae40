package dev.weft.store;

/**
 * A distributed store backend, found with {@link java.util.ServiceLoader} so that weftd loads the
 * etcd or ZooKeeper client only when {@code --kv-store} names it. Each backend module lists its
 * provider in META-INF/services/dev.weft.store.StoreProvider.
 */
public interface StoreProvider {
    /** The canonical scheme this backend serves: "etcd" or "zk". */
    String scheme();

    /** Connects; fails with a StoreException naming the address if the store cannot be reached. */
    Store open(StoreUrl url);
}
