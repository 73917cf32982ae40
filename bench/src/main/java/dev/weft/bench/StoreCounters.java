package dev.weft.bench;

import java.util.Set;

/**
 * What every host's weftd has counted of its global store so far (from its /metrics): successful
 * writes, bytes written and watch events received; and, when the store is etcd, etcd's own count
 * of puts and deletes and the bytes its gRPC server received (first member; every member applies
 * every write).
 */
record StoreCounters(long[] writes, long[] bytes, long[] events, long etcdWrites, long etcdReceivedBytes) {
    static final Set<String> WRITE_OPS = Set.of("put", "put_if_version", "put_ephemeral", "delete", "delete_if_version");

    static StoreCounters scrape(OverlayCluster c) {
        int n = c.size();
        long[] writes = new long[n];
        long[] bytes = new long[n];
        long[] events = new long[n];
        for (int h = 0; h < n; h++) {
            String text = c.api(h).call("GET", "/metrics", null).body();
            writes[h] = (long) PromText.sum(text, "weft_store_operation_duration_seconds_count",
                    l -> "global".equals(l.get("store")) && "ok".equals(l.get("outcome")) && WRITE_OPS.contains(l.get("op")));
            bytes[h] = (long) PromText.sum(text, "weft_store_written_bytes_total", l -> "global".equals(l.get("store")));
            events[h] = (long) PromText.sum(text, "weft_store_watch_events_total", l -> "global".equals(l.get("store")));
        }
        long etcdWrites = -1;
        long etcdBytes = -1;
        if (c.storeKind().etcd()) {
            String etcd = c.etcdMetrics();
            etcdWrites = (long) (PromText.sum(etcd, "etcd_mvcc_put_total") + PromText.sum(etcd, "etcd_mvcc_delete_total"));
            etcdBytes = (long) PromText.sum(etcd, "etcd_network_client_grpc_received_bytes_total");
        }
        return new StoreCounters(writes, bytes, events, etcdWrites, etcdBytes);
    }

    static long total(long[] v) {
        long t = 0;
        for (long x : v) {
            t += x;
        }
        return t;
    }

    /** Writes by all hosts since {@code before}. */
    long writesSince(StoreCounters before) {
        return total(writes) - total(before.writes);
    }

    long bytesSince(StoreCounters before) {
        return total(bytes) - total(before.bytes);
    }

    long eventsSince(StoreCounters before, int host) {
        return events[host] - before.events[host];
    }
}
