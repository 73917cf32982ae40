package dev.weft.engine.internal;

import dev.weft.engine.EngineObserver;
import dev.weft.engine.driver.overlay.Vnis;
import dev.weft.engine.ipam.DefaultIpam;
import dev.weft.engine.ipam.Ipam;
import dev.weft.engine.ipam.IpamException;
import dev.weft.engine.state.NetworkState.SubnetState;
import dev.weft.engine.state.NetworkState;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;
import dev.weft.store.VersionConflictException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Frees what the global store holds for nobody. A write in flight when the store went down may
 * have been applied although weft reported it failed and could not roll it back; that leaves an
 * address of the global default space held by an endpoint that has no record, a pool of that
 * space that no global network names, or a VNI whose network has no record, and no host would
 * ever free them. Every interval this host reads the allocations, then the records, straight
 * from the global store, and calls an allocation an orphan when no record accounts for it
 * (addresses held by "gateway" or "aux:NAME" are accounted for by their pool's network; a
 * network marked deleting still has its record and frees its own). An orphan is freed only when
 * the previous sweep saw it orphaned too, at the same key version: a grace of a whole interval,
 * far longer than the moment between an allocation and its record on another host. The delete
 * compares the version, so a key that changed hands meanwhile stays, and when several hosts
 * sweep at once one delete wins and the others lose quietly. Only weft's global default space
 * and the overlay's VNIs are swept: never the local store, nor the spaces Docker manages. A
 * sweep the store fails is skipped, with one warning until sweeps succeed again.
 */
final class GlobalSweep implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GlobalSweep.class.getName());
    private final Store global;
    private final StateStore state;
    private final DefaultIpam ipam;
    private final Duration interval;
    private final EngineObserver observer;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("weft-global-sweep").unstarted(r));
    private Map<String, Long> marked = Map.of();
    private boolean failing;

    /** An allocation no record accounts for, and how to free it if its key is unchanged. */
    private record Orphan(String key, long version, String what, String why, Runnable release) { }

    GlobalSweep(Store global, StateStore state, DefaultIpam ipam, Duration interval, EngineObserver observer) {
        this.observer = observer;
        this.global = global;
        this.state = state;
        this.ipam = ipam;
        this.interval = interval;
    }

    /** Sweeps every interval from now on (never, for a zero or negative interval). */
    void start() {
        if (interval.isPositive()) {
            long ms = interval.toMillis();
            timer.scheduleWithFixedDelay(this::sweepNow, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * One sweep: frees the orphans the previous sweep saw too, at the same version, and marks
     * the new ones; returns the keys freed (none when the store could not be read).
     */
    synchronized List<String> sweepNow() {
        List<String> released = new ArrayList<>();
        long start = System.nanoTime();
        try {
            Map<String, Long> next = new HashMap<>();
            for (Orphan o : orphans()) {
                Long seen = marked.get(o.key());
                Outcome outcome = seen == null || seen != o.version() ? Outcome.WAIT : release(o);
                switch (outcome) {
                    case RELEASED -> released.add(o.key());
                    case WAIT -> next.put(o.key(), o.version()); // new, or a pool whose addresses go first
                    case GONE -> { }
                }
            }
            marked = next;
            observer.reconciled("global_sweep", Map.of("global_allocation_released", released.size()),
                    System.nanoTime() - start);
            if (failing) {
                failing = false;
                LOG.log(System.Logger.Level.INFO, "sweeping orphaned global allocations again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.log(System.Logger.Level.WARNING, "skipping the sweep of orphaned global allocations until the "
                        + "global store answers: " + e.getMessage());
            } else {
                LOG.log(System.Logger.Level.DEBUG, "sweep skipped: " + e.getMessage());
            }
        }
        return released;
    }

    private enum Outcome { RELEASED, GONE, WAIT }

    /** Frees the orphan: RELEASED; GONE if it changed or another host freed it first; WAIT for a pool still in use. */
    private Outcome release(Orphan o) {
        try {
            o.release().run();
        } catch (VersionConflictException changed) {
            LOG.log(System.Logger.Level.DEBUG, "left " + o.what() + ": it changed or was freed meanwhile");
            return Outcome.GONE;
        } catch (IpamException inUse) {
            return Outcome.WAIT;
        }
        LOG.log(System.Logger.Level.INFO, "released " + o.what() + " from the global store: " + o.why()
                + ", on two sweeps in a row");
        return Outcome.RELEASED;
    }

    /** The orphans now: allocations read first, then the records, so no record older than an allocation is missed. */
    private List<Orphan> orphans() {
        List<DefaultIpam.Allocation> allocations = ipam.allocations(Ipam.GLOBAL_SPACE);
        List<KvEntry> vnis = Vnis.list(global);
        StateStore.GlobalRecords records = state.readGlobal();
        Set<String> namedPools = new HashSet<>();
        for (NetworkState n : records.networks().values()) {
            n.subnets().stream().map(SubnetState::poolId).forEach(namedPools::add);
        }
        List<Orphan> out = new ArrayList<>();
        for (DefaultIpam.Allocation a : allocations) {
            String why = orphaned(a, namedPools, records.endpointIds());
            if (why != null) {
                String what = a.isPool() ? "pool " + a.poolId()
                        : "address " + a.address().getHostAddress() + " held by " + a.owner();
                out.add(new Orphan(a.key(), a.version(), what, why, () -> ipam.releaseIfUnchanged(Ipam.GLOBAL_SPACE, a)));
            }
        }
        for (KvEntry vni : vnis) {
            String network = vni.valueAsString();
            if (!records.networks().containsKey(network)) {
                out.add(new Orphan(vni.key(), vni.version(), "VNI " + vni.key().substring(vni.key().lastIndexOf('/') + 1),
                        "its network " + network + " has no record", () -> Vnis.releaseOrphan(global, vni)));
            }
        }
        return out;
    }

    /** Why the allocation is an orphan, or null if a record accounts for it. */
    private static String orphaned(DefaultIpam.Allocation a, Set<String> namedPools, Set<String> endpointIds) {
        if (a.poolId() == null || !namedPools.contains(a.poolId())) {
            return a.isPool() ? "no network names it" : "its pool belongs to no network";
        }
        if (a.isPool() || a.owner().equals("gateway") || a.owner().startsWith("aux:") || endpointIds.contains(a.owner())) {
            return null;
        }
        return "its endpoint has no record";
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
