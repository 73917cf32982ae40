package dev.weft.store;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/** A watch of the local store: events queue in revision order and a thread of its own delivers them. */
final class LocalWatch implements Watch {
    private static final System.Logger LOG = System.getLogger(LocalWatch.class.getName());
    private static final StoreEvent STOP = new StoreEvent.Deleted("", -1);
    private final String prefix;
    private final Consumer<StoreEvent> listener;
    private final Consumer<LocalWatch> onClose;
    private final BlockingQueue<StoreEvent> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    LocalWatch(String prefix, Consumer<StoreEvent> listener, Consumer<LocalWatch> onClose) {
        this.prefix = prefix;
        this.listener = listener;
        this.onClose = onClose;
        this.thread = Thread.ofVirtual().name("store-watch " + prefix).unstarted(this::deliver);
    }

    void start() {
        thread.start();
    }

    void offer(StoreEvent event) {
        if (!closed && event.key().startsWith(prefix)) {
            queue.add(event);
        }
    }

    private void deliver() {
        try {
            while (true) {
                StoreEvent e = queue.take();
                if (e == STOP) {
                    return;
                }
                try {
                    listener.accept(e);
                } catch (RuntimeException failure) {
                    LOG.log(System.Logger.Level.WARNING, "store watch listener for " + prefix + " failed on " + e, failure);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.accept(this);
            queue.add(STOP);
        }
    }
}
