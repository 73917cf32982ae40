package dev.weft.daemon.metrics;

import dev.weft.store.KvEntry;
import dev.weft.store.Store;
import dev.weft.store.StoreEvent;
import dev.weft.store.VersionConflictException;
import dev.weft.store.Watch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A store that reports every operation (its time and outcome: ok, conflict for a failed
 * compare-and-swap, error) and its watches' deliveries to {@link WeftMetrics}. The watch lag is
 * measured on this host's own writes under a watched prefix: from the write being sent to the
 * watch delivering it. Successful writes also count their bytes: the key's UTF-8 and the value
 * (a delete, its key).
 */
public final class ObservedStore implements Store {
    /** At most this many writes wait for their watch event; older ones are forgotten (their lag unmeasured). */
    private static final int PENDING = 1024;
    private final Store store;
    private final String name;
    private final WeftMetrics metrics;
    private final List<String> watched = new CopyOnWriteArrayList<>();
    private final Map<String, Long> pending = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > PENDING;
        }
    };

    /** {@code store}, reported under the label store={@code name}. */
    public ObservedStore(Store store, String name, WeftMetrics metrics) {
        this.store = store;
        this.name = name;
        this.metrics = metrics;
    }

    private <T> T timed(String op, Supplier<T> work) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            T result = work.get();
            outcome = "ok";
            return result;
        } catch (VersionConflictException e) {
            outcome = "conflict";
            throw e;
        } finally {
            metrics.storeOperation(name, op, outcome, System.nanoTime() - start);
        }
    }

    /** A write of {@code key}: remembered, if a watch covers it, until the watch delivers it. */
    private KvEntry write(String op, String key, byte[] value, Supplier<KvEntry> work) {
        boolean track = watched.stream().anyMatch(key::startsWith);
        if (track) {
            synchronized (pending) {
                pending.put(key, System.nanoTime());
            }
        }
        try {
            KvEntry written = timed(op, work);
            written(key, value.length);
            return written;
        } catch (RuntimeException e) {
            if (track) {
                synchronized (pending) {
                    pending.remove(key);
                }
            }
            throw e;
        }
    }

    @Override
    public Optional<KvEntry> get(String key) {
        return timed("get", () -> store.get(key));
    }

    @Override
    public List<KvEntry> list(String prefix) {
        return timed("list", () -> store.list(prefix));
    }

    @Override
    public KvEntry put(String key, byte[] value) {
        return write("put", key, value, () -> store.put(key, value));
    }

    @Override
    public KvEntry putIfVersion(String key, byte[] value, long expectedVersion) {
        return write("put_if_version", key, value, () -> store.putIfVersion(key, value, expectedVersion));
    }

    @Override
    public KvEntry putEphemeral(String key, byte[] value) {
        return write("put_ephemeral", key, value, () -> store.putEphemeral(key, value));
    }

    @Override
    public boolean delete(String key) {
        boolean deleted = timed("delete", () -> store.delete(key));
        written(key, 0);
        return deleted;
    }

    @Override
    public void deleteIfVersion(String key, long expectedVersion) {
        timed("delete_if_version", () -> {
            store.deleteIfVersion(key, expectedVersion);
            return null;
        });
        written(key, 0);
    }

    private void written(String key, int valueBytes) {
        metrics.storeWritten(name, key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + (long) valueBytes);
    }

    @Override
    public long revision() {
        return timed("revision", store::revision);
    }

    @Override
    public Watch watch(String prefix, long afterRevision, Consumer<StoreEvent> listener) {
        watched.add(prefix);
        Watch w;
        try {
            w = timed("watch", () -> store.watch(prefix, afterRevision, event -> {
                delivered(event);
                listener.accept(event);
            }));
        } catch (RuntimeException e) {
            watched.remove(prefix);
            throw e;
        }
        return () -> {
            watched.remove(prefix);
            w.close();
        };
    }

    private void delivered(StoreEvent event) {
        metrics.watchEvent(name);
        if (event instanceof StoreEvent.Put) {
            Long sent;
            synchronized (pending) {
                sent = pending.remove(event.key());
            }
            if (sent != null) {
                metrics.watchLag(name, System.nanoTime() - sent);
            }
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
