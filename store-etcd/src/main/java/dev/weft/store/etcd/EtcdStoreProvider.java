package dev.weft.store.etcd;

import dev.weft.store.Store;
import dev.weft.store.StoreProvider;
import dev.weft.store.StoreUrl;

/** The etcd backend, found by {@link java.util.ServiceLoader} for {@code etcd://} store addresses. */
public final class EtcdStoreProvider implements StoreProvider {
    @Override
    public String scheme() {
        return "etcd";
    }

    @Override
    public Store open(StoreUrl url) {
        return EtcdStore.open(url);
    }
}
