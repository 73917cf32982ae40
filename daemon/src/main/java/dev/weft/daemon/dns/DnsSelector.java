package dev.weft.daemon.dns;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One thread waiting on every DNS listener's sockets at once (epoll), instead of two threads per
 * sandbox parked in a read: at 1000 sandboxes those were 2000 virtual threads with their stacks,
 * a query buffer each and, while parked in {@code receive}, a temporary direct buffer each (about
 * 12 MB in all; docs/design.md, "weftd's footprint"). The handlers only read what is ready and
 * hand each query to a virtual thread of its own, so a slow answer never holds the others up.
 */
final class DnsSelector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsSelector.class);
    private final Selector selector;
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final List<CompletableFuture<Void>> closed = new ArrayList<>(); // only on the selector's thread
    private final Thread thread;

    /** What to do when a registered channel is ready: read (or accept) until it would block. */
    @FunctionalInterface
    interface Ready {
        void ready() throws IOException;
    }

    DnsSelector() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the embedded DNS: " + e.getMessage(), e);
        }
        thread = Thread.ofPlatform().daemon().name("dns-selector").start(this::run);
    }

    /** Makes {@code channel} non-blocking and calls {@code ready} whenever {@code ops} are ready on it. */
    void register(SelectableChannel channel, int ops, Ready ready) throws IOException {
        channel.configureBlocking(false);
        pending.add(() -> {
            try {
                channel.register(selector, ops, ready);
            } catch (ClosedChannelException e) {
                // closed before it was registered: nothing to wait for
            }
        });
        selector.wakeup();
    }

    /**
     * Closes {@code channel} and returns once its socket is gone. A registered channel's socket is
     * released only when the selector next deregisters it, so the selector's thread closes it and
     * deregisters at once (the port is free again, the sandbox's namespace no longer held).
     */
    void close(SelectableChannel channel) {
        if (Thread.currentThread() == thread || !thread.isAlive() || channel.keyFor(selector) == null) {
            closeQuietly(channel);
            return;
        }
        CompletableFuture<Void> released = new CompletableFuture<>();
        pending.add(() -> {
            closeQuietly(channel);
            closed.add(released);
        });
        selector.wakeup();
        try {
            released.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("the embedded DNS selector did not release a socket: {}", e.toString());
        }
    }

    private static void closeQuietly(SelectableChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private void run() {
        try {
            while (selector.isOpen()) {
                selector.select();
                for (Runnable r; (r = pending.poll()) != null; ) {
                    try {
                        r.run();
                    } catch (RuntimeException e) { // one socket's trouble must not stop the others' DNS
                        LOG.warn("embedded DNS socket: {}", e.toString());
                    }
                }
                if (!closed.isEmpty()) {
                    selector.selectNow(); // deregisters the channels just closed, which releases their sockets
                    closed.forEach(c -> c.complete(null));
                    closed.clear();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        ((Ready) key.attachment()).ready();
                    } catch (CancelledKeyException | ClosedChannelException e) {
                        key.cancel();
                    } catch (IOException | RuntimeException e) {
                        LOG.debug("embedded DNS socket: {}", e.getMessage());
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (ClosedSelectorException e) {
            // closed: done
        } catch (IOException e) {
            LOG.error("the embedded DNS stopped: {}", e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing the embedded DNS selector: {}", e.getMessage());
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
