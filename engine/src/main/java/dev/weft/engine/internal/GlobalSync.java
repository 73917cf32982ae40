package dev.weft.engine.internal;

import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;
import dev.weft.store.StoreEvent;
import dev.weft.store.Watch;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Keeps this host in step with the others that share the global store. The host announces
 * itself with an ephemeral key, {@code hosts/ADDRESS}, which the store removes when the host
 * stops or its session expires; the hosts whose keys exist are the live ones. Whenever the
 * endpoints of a global network change, here or elsewhere, or a host comes or goes, the
 * network's driver is handed the endpoints joined on (or created to be joined on) the other live hosts (the overlay driver
 * programs its forwarding entries from them), and then the live hosts themselves (a remote
 * plugin hears of them as libnetwork tells it); a global network removed elsewhere has its local
 * kernel objects removed here. The work runs on one thread of its own, per network coalesced:
 * many changes in a burst cost one pass.
 */
final class GlobalSync implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GlobalSync.class.getName());
    static final String HOSTS = "hosts/";
    private final Context c;
    private final Store global;
    private final String self;
    private final Set<String> liveHosts = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong hostChanges = new java.util.concurrent.atomic.AtomicLong();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("weft-global-sync").unstarted(r));
    private final ServiceVips vips;
    private Watch hostsWatch;

    GlobalSync(Context c, Store global, String self, ServiceVips vips) {
        this.c = c;
        this.vips = vips;
        this.global = global;
        this.self = self;
    }

    /** Announces this host, learns the live ones, and follows both from now on. */
    void start() {
        announce();
        long revision = global.revision();
        for (KvEntry e : global.list(HOSTS)) {
            liveHosts.add(e.key().substring(HOSTS.length()));
        }
        hostsWatch = global.watch(HOSTS, revision, this::hostChanged);
        c.state().setListener(this::recordChanged);
        c.state().networks().forEach(n -> schedule(n.id()));
    }

    /** Whether traffic and names of {@code ep} should be served: it is here, or on a live host. */
    boolean reachable(EndpointState ep) {
        return ep.host() == null || ep.host().equals(self) || liveHosts.contains(ep.host());
    }

    /** Grows whenever a host comes or goes (what is reachable changes with it). */
    long liveHostsGeneration() {
        return hostChanges.get();
    }

    private void announce() {
        global.putEphemeral(HOSTS + self, ("{\"Address\": \"" + self + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Announces this host again after its session ended, trying every second until the store takes
     * it: the session ends when this host was cut off for longer than its TTL, and the first calls
     * after the cut heals may still find the connections to the store recovering.
     */
    private void announceAgain(int attempt) {
        try {
            announce();
            LOG.log(System.Logger.Level.INFO, "announced this host again (attempt " + attempt + ")");
        } catch (RuntimeException e) {
            LOG.log(attempt == 1 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                    "cannot announce this host again yet (trying every second): " + e.getMessage());
            java.util.concurrent.CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS).execute(() -> {
                try {
                    worker.execute(() -> announceAgain(attempt + 1));
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    // closed meanwhile: nothing to announce
                }
            });
        }
    }

    private void hostChanged(StoreEvent event) {
        String host = event.key().substring(HOSTS.length());
        if (host.equals(self) && event instanceof StoreEvent.Deleted && !worker.isShutdown()) {
            LOG.log(System.Logger.Level.WARNING, "this host's session in the global store ended; announcing it again");
            worker.execute(() -> announceAgain(1));
        }
        boolean changed = event instanceof StoreEvent.Put ? liveHosts.add(host) : liveHosts.remove(host);
        if (changed) {
            hostChanges.incrementAndGet();
            LOG.log(System.Logger.Level.INFO, "host " + host + (event instanceof StoreEvent.Put ? " joined" : " left"));
            c.state().networks().stream().filter(c.state()::isGlobal).forEach(n -> schedule(n.id()));
        }
    }

    private void recordChanged(String key, Object before, Object after) {
        if (before instanceof NetworkState gone && after == null) {
            worker.execute(() -> removeLocally(gone));
        } else if (after instanceof EndpointState ep) {
            schedule(ep.networkId());
        } else if (before instanceof EndpointState ep) {
            schedule(ep.networkId());
        }
    }

    /** Runs {@link #sync} for the network soon, once however many changes arrive meanwhile. */
    void schedule(String networkId) {
        if (pending.add(networkId)) {
            worker.execute(() -> {
                pending.remove(networkId);
                sync(networkId);
            });
        }
    }

    private void sync(String networkId) {
        NetworkDriver driver;
        c.lock().lock();
        try {
            NetworkState n = c.state().network(networkId).orElse(null);
            if (n == null || n.deleting() || !c.state().isGlobal(n) || !c.state().follows(networkId)) {
                return; // not a network this host takes part in: nothing of it is plumbed here
            }
            List<EndpointState> remote = c.state().endpoints(networkId).stream()
                    .filter(e -> e.host() != null && !e.host().equals(self) && liveHosts.contains(e.host())) // joined, or placed
                    .toList();
            driver = c.drivers().get(n.driver());
            driver.remoteEndpoints(n, remote);
            vips.networkChanged(networkId); // backends come and go with their hosts too
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot update the peers of network " + networkId + ": " + e.getMessage(), e);
            return;
        } finally {
            c.lock().unlock();
        }
        Set<String> hosts = new java.util.HashSet<>(liveHosts);
        hosts.add(self);
        try {
            driver.hosts(Set.copyOf(hosts), self); // a plugin's answer may take its time: not under the lock
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot tell driver " + driver.name() + " the live hosts: " + e.getMessage(), e);
        }
    }

    private void removeLocally(NetworkState n) {
        c.lock().lock();
        try {
            NetworkDriver d = c.drivers().get(n.driver());
            d.deleteNetwork(n);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove network " + n.name() + " here: " + e.getMessage(), e);
        } finally {
            c.lock().unlock();
        }
    }

    @Override
    public void close() {
        if (hostsWatch != null) {
            hostsWatch.close();
        }
        worker.shutdownNow();
    }
}
