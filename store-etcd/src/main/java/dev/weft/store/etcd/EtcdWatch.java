package dev.weft.store.etcd;

import dev.weft.store.KvEntry;
import dev.weft.store.StoreEvent;
import dev.weft.store.Watch;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An etcd prefix watch that survives reconnects. It remembers the revision after the last change
 * it received; when the stream to etcd fails (etcd restarted, the network dropped), it drops that
 * jetcd watcher and starts a new one from that revision, so no change is missed or seen twice.
 * Each attempt is a generation: responses of an abandoned generation are ignored. Changes are
 * handed to the listener in revision order on one thread of the watch's own.
 *
 * <p>Lock order: this watch's monitor is never held while calling into jetcd, because jetcd calls
 * {@link Listener#onError} while holding its own lock.
 */
final class EtcdWatch implements Watch {
    private static final System.Logger LOG = System.getLogger(EtcdWatch.class.getName());
    private static final long MIN_RETRY_MILLIS = 100;
    private static final long MAX_RETRY_MILLIS = 2_000;

    private final io.etcd.jetcd.Watch client;
    private final ByteSequence prefix;
    private final Function<ByteSequence, String> storeKey;
    private final Consumer<StoreEvent> listener;
    private final Consumer<EtcdWatch> onClose;
    private final ExecutorService delivery;
    private long nextRevision;
    private int generation;
    private io.etcd.jetcd.Watch.Watcher current;
    private long retryMillis = MIN_RETRY_MILLIS;
    private boolean closed;

    EtcdWatch(io.etcd.jetcd.Watch client, ByteSequence prefix, Function<ByteSequence, String> storeKey,
              Consumer<StoreEvent> listener, Consumer<EtcdWatch> onClose) {
        this.client = client;
        this.prefix = prefix;
        this.storeKey = storeKey;
        this.listener = listener;
        this.onClose = onClose;
        this.delivery = Executors.newSingleThreadExecutor(
                Thread.ofVirtual().name("etcd-watch " + prefix.toString()).factory());
    }

    /** Starts watching with the change at {@code fromRevision}. */
    void start(long fromRevision) {
        synchronized (this) {
            nextRevision = fromRevision;
        }
        connect();
    }

    /** Opens a new jetcd watcher from {@link #nextRevision}, as the next generation. */
    private void connect() {
        int gen;
        long from;
        synchronized (this) {
            if (closed) {
                return;
            }
            gen = ++generation;
            from = nextRevision;
        }
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(from).build();
        io.etcd.jetcd.Watch.Watcher watcher = client.watch(prefix, option, new Listener(gen));
        boolean stale;
        synchronized (this) {
            stale = gen != generation;
            if (!stale) {
                current = watcher;
            }
        }
        if (stale) {
            watcher.close();
        }
    }

    /** Queues the events of one response for the listener and moves the resume point past them. */
    private void received(int gen, WatchResponse response) {
        List<StoreEvent> events = new ArrayList<>();
        synchronized (this) {
            if (closed || gen != generation) {
                return;
            }
            for (WatchEvent e : response.getEvents()) {
                KeyValue kv = e.getKeyValue();
                String key = storeKey.apply(kv.getKey());
                events.add(e.getEventType() == WatchEvent.EventType.DELETE
                        ? new StoreEvent.Deleted(key, kv.getModRevision())
                        : new StoreEvent.Put(new KvEntry(key, kv.getValue().getBytes(), kv.getModRevision())));
                nextRevision = Math.max(nextRevision, kv.getModRevision() + 1);
            }
            retryMillis = MIN_RETRY_MILLIS;
            if (!events.isEmpty()) {
                delivery.execute(() -> deliver(events));
            }
        }
    }

    private void deliver(List<StoreEvent> events) {
        for (StoreEvent e : events) {
            try {
                listener.accept(e);
            } catch (RuntimeException failure) {
                LOG.log(System.Logger.Level.WARNING, "store watch listener for " + prefix + " failed on " + e, failure);
            }
        }
    }

    /**
     * The stream of generation {@code gen} ended. Unless the watch was closed or etcd compacted
     * the revision it must resume from, abandons the jetcd watcher (so jetcd does not resume it
     * from its own idea of the revision) and reconnects after a growing delay.
     */
    private void ended(int gen, Throwable error) {
        io.etcd.jetcd.Watch.Watcher abandoned;
        long delay;
        synchronized (this) {
            if (closed || gen != generation) {
                return;
            }
            generation++;
            abandoned = current;
            current = null;
            delay = retryMillis;
            retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
        }
        if (abandoned != null) {
            abandoned.close();
        }
        if (error instanceof CompactedException c) {
            LOG.log(System.Logger.Level.ERROR, "store watch of " + prefix + " stopped: etcd compacted revision "
                    + c.getCompactedRevision() + " before the watch could resume from it; list again and watch"
                    + " from the new revision");
            close();
            return;
        }
        System.Logger.Level level = delay < MAX_RETRY_MILLIS ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING;
        LOG.log(level, "store watch of " + prefix + " lost its stream; resuming in " + delay + " ms", error);
        CompletableFuture.runAsync(this::connect, CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
    }

    @Override
    public void close() {
        io.etcd.jetcd.Watch.Watcher watcher;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            generation++;
            watcher = current;
            current = null;
        }
        if (watcher != null) {
            watcher.close();
        }
        delivery.shutdown();
        onClose.accept(this);
    }

    /** Receives one generation's responses from jetcd. */
    private final class Listener implements io.etcd.jetcd.Watch.Listener {
        private final int gen;

        Listener(int gen) {
            this.gen = gen;
        }

        @Override
        public void onNext(WatchResponse response) {
            received(gen, response);
        }

        @Override
        public void onError(Throwable error) {
            ended(gen, error);
        }

        @Override
        public void onCompleted() {
            ended(gen, null);
        }
    }
}
