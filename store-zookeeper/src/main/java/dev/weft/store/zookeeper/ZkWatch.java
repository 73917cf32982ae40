package dev.weft.store.zookeeper;

import dev.weft.store.StoreEvent;
import dev.weft.store.Watch;
import org.apache.zookeeper.Watcher;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A watch of the ZooKeeper store: one thread reads the change log from the last revision it
 * delivered, in order, and hands the changes under the prefix to the listener; then it waits for
 * the revision node to change (a ZooKeeper watch), or at most {@link #POLL_MS} in case a watch
 * was lost with a session. Because the only state is the last delivered revision, a lost
 * connection or a restarted server makes it pause and continue where it was: nothing is missed
 * or delivered twice. If it falls so far behind that the log no longer holds the next change, it
 * stops (a warning is logged); the listener's owner must list again.
 */
final class ZkWatch implements Watch {
    private static final System.Logger LOG = System.getLogger(ZkWatch.class.getName());
    static final long POLL_MS = 1000;
    private static final int BATCH = 200;
    private static final long RETRY_MS = 200;

    private final ZkClient client;
    private final ZkLayout layout;
    private final String prefix;
    private final Consumer<StoreEvent> listener;
    private final Consumer<ZkWatch> onClose;
    private final Semaphore changed = new Semaphore(0);
    private final Watcher watcher = event -> changed.release();
    private final Thread thread;
    private volatile boolean closed;
    private long delivered;

    ZkWatch(ZkClient client, ZkLayout layout, String prefix, long afterRevision,
            Consumer<StoreEvent> listener, Consumer<ZkWatch> onClose) {
        this.client = client;
        this.layout = layout;
        this.prefix = prefix;
        this.listener = listener;
        this.onClose = onClose;
        this.delivered = afterRevision;
        this.thread = Thread.ofVirtual().name("zk-store-watch " + prefix).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    private void run() {
        while (!closed) {
            try {
                long current = ZkCodec.longOf(client.readAndWatch(layout.revision(), watcher).data());
                if (!catchUp(current)) {
                    return;
                }
                changed.tryAcquire(POLL_MS, TimeUnit.MILLISECONDS);
                changed.drainPermits();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.DEBUG, "store watch " + prefix + ": " + e.getMessage() + "; retrying");
                    pause();
                }
            }
        }
    }

    /** Delivers the changes after {@link #delivered} up to {@code current}; false if the log lost some. */
    private boolean catchUp(long current) {
        while (!closed && delivered < current) {
            List<String> paths = new ArrayList<>();
            for (long r = delivered + 1; r <= Math.min(current, delivered + BATCH); r++) {
                paths.add(layout.log(r));
            }
            List<byte[]> records = client.readAll(paths);
            for (byte[] record : records) {
                long rev = delivered + 1;
                if (record == null) {
                    LOG.log(System.Logger.Level.WARNING, "store watch " + prefix + " fell behind: change " + rev
                            + " is no longer in the log; the watch stops (list again and watch anew)");
                    close();
                    return false;
                }
                deliver(ZkCodec.event(rev, record));
                delivered = rev;
            }
        }
        return true;
    }

    private void deliver(StoreEvent event) {
        if (closed || !event.key().startsWith(prefix)) {
            return;
        }
        try {
            listener.accept(event);
        } catch (RuntimeException failure) {
            LOG.log(System.Logger.Level.WARNING, "store watch listener for " + prefix + " failed on " + event, failure);
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.accept(this);
            changed.release();
        }
    }
}
