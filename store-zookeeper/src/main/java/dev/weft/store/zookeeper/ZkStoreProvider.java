package dev.weft.store.zookeeper;

import dev.weft.store.Store;
import dev.weft.store.StoreProvider;
import dev.weft.store.StoreUrl;

/** The ZooKeeper backend, for {@code zk://} and {@code zookeeper://} store addresses. */
public final class ZkStoreProvider implements StoreProvider {
    @Override
    public String scheme() {
        return "zk";
    }

    @Override
    public Store open(StoreUrl url) {
        return ZkStore.open(url);
    }
}
