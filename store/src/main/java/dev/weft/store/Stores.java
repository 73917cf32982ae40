package dev.weft.store;

import java.util.ServiceLoader;

/** Opens a distributed store by address through the backends on the class path. */
public final class Stores {
    private Stores() {
    }

    public static Store open(StoreUrl url) {
        for (StoreProvider p : ServiceLoader.load(StoreProvider.class)) {
            if (p.scheme().equals(url.scheme())) {
                return p.open(url);
            }
        }
        throw new StoreException("no store backend for '" + url.scheme() + "' is installed (weft-store-"
                + (url.scheme().equals("zk") ? "zookeeper" : url.scheme()) + " jar missing from the class path)");
    }
}
