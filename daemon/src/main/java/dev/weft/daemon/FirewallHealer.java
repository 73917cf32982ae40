package dev.weft.daemon;

import dev.weft.engine.Controller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * weftd's self-healing firewall: told (by the nftables watcher) that another process deleted
 * something of weft's tables, it waits {@link #DEBOUNCE_MILLIS} for the rest of a burst (a flush
 * of a big ruleset comes as many transactions), then has the controller check every driver's
 * tables and install again, from the records, whatever is missing. A check that finds nothing
 * missing changes nothing; weft's own changes never reach it, so re-installing cannot loop.
 */
final class FirewallHealer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FirewallHealer.class);
    static final int DEBOUNCE_MILLIS = 50;
    private static final int RETRY_MILLIS = 500;
    private final Controller controller;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("firewall-healer").daemon().factory());
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicInteger restores = new AtomicInteger();
    private volatile boolean closed;

    FirewallHealer(Controller controller) {
        this.controller = controller;
    }

    /** Another process deleted something of weft's: check and restore soon. */
    void damaged(String what) {
        LOG.info("nftables: {}", what);
        schedule(DEBOUNCE_MILLIS);
    }

    private void schedule(int millis) {
        if (!closed && scheduled.compareAndSet(false, true)) {
            timer.schedule(this::heal, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** Checks now, on the caller's thread (at start, for what went missing while nobody watched). */
    void healNow() {
        heal();
    }

    private void heal() {
        scheduled.set(false);
        long start = System.nanoTime();
        try {
            List<String> missing = controller.restoreFirewalls();
            if (!missing.isEmpty()) {
                restores.incrementAndGet();
                LOG.warn("firewall rules removed by someone else restored in {} ms: {}",
                        (System.nanoTime() - start) / 1_000_000, String.join("; ", missing));
            }
        } catch (RuntimeException e) {
            LOG.error("restoring the firewall rules failed (trying again in {} ms): {}", RETRY_MILLIS, e.getMessage());
            schedule(RETRY_MILLIS);
        }
    }

    /** How many times rules were found missing and installed again. */
    int restores() {
        return restores.get();
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
