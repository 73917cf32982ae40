package dev.weft.bench;

import dev.weft.testkit.SimulatedHost;
import dev.weft.testkit.StoreCluster;
import dev.weft.testkit.StoreServer;

import java.nio.file.Path;
import java.util.List;

/** The global store an {@link OverlayCluster} shares: one etcd, a 3-member etcd cluster or a 3-server ZooKeeper ensemble. */
enum StoreKind {
    ETCD("etcd", 1),
    ETCD3("etcd3", 3),
    ZK3("zk3", 3);

    private final String flag;
    private final int members;

    StoreKind(String flag, int members) {
        this.flag = flag;
        this.members = members;
    }

    /** {@code etcd}, {@code etcd3} or {@code zk3}, as the benchmarks' {@code --store} takes it. */
    static StoreKind parse(String flag) {
        for (StoreKind k : values()) {
            if (k.flag.equals(flag)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown store " + flag + " (etcd, etcd3 or zk3)");
    }

    String flag() {
        return flag;
    }

    /** How many simulated hosts its members take. */
    int members() {
        return members;
    }

    boolean etcd() {
        return this != ZK3;
    }

    /** The store's members started on {@code hosts} (one each) with their data under {@code dir}. */
    Store start(List<SimulatedHost> hosts, Path dir) {
        if (this == ETCD) {
            StoreServer s = StoreServer.etcd(hosts.getFirst(), dir);
            return new Store(s.url(), s);
        }
        StoreCluster c = this == ETCD3 ? StoreCluster.etcd(hosts, dir) : StoreCluster.zookeeper(hosts, dir);
        return new Store(c.url(), c);
    }

    /** A started store: the URL weftd's {@code --kv-store} takes and what stops it. */
    record Store(String url, AutoCloseable stopper) implements AutoCloseable {
        @Override
        public void close() {
            try {
                stopper.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
