package dev.weft.engine.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState;
import dev.weft.engine.state.SandboxState;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;
import dev.weft.store.StoreEvent;
import dev.weft.store.VersionConflictException;
import dev.weft.store.Watch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's records as JSON under one key layout:
 * <pre>
 *   networks/ID             NetworkState
 *   endpoints/NETWORK/ID    EndpointState
 *   sandboxes/ID            SandboxState
 * </pre>
 * Sandboxes, and the networks of local scope with their endpoints, live in the local store;
 * networks of global scope and their endpoints live in the global store, when there is one, and
 * every host sharing it sees them. Records are read once, when the controller starts, and then
 * served from memory; every change is written through to its store before memory is updated.
 * Other hosts' changes to the global records arrive by watches started at the revision the
 * records were read at, so none is missed; each global key remembers the revision of the last
 * change applied to it, so an older change arriving late (this host's own, echoed by the watch)
 * never overwrites a newer one. Every host follows the list of global networks, but the
 * endpoints only of the networks it takes part in: those with an endpoint joined here when it
 * starts, and any it writes an endpoint of later (see {@link #follow}), so a host's watch traffic
 * grows with its own networks, not with the whole cluster. The endpoints of a global network it
 * does not follow are read from the global store when asked for (an inspect, a list, a removal
 * looking for a container's endpoints), which starts no watch.
 */
public final class StateStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final String NETWORKS = "networks/";
    private static final String ENDPOINTS = "endpoints/";
    private static final String SANDBOXES = "sandboxes/";
    /** Global networks' names in the global store: network-names/NAME -> id. */
    private static final String NAMES = "network-names/";

    /** Told of every change to a global record, made here or elsewhere; runs on the watch's thread. */
    public interface Listener {
        void changed(String key, Object before, Object after);
    }

    private final Store local;
    private final Store global;
    private final NavigableMap<String, NetworkState> networks = new ConcurrentSkipListMap<>();
    private final NavigableMap<String, EndpointState> endpoints = new ConcurrentSkipListMap<>();
    private final NavigableMap<String, SandboxState> sandboxes = new ConcurrentSkipListMap<>();
    private final Map<String, Long> applied = new HashMap<>();
    private final List<Watch> watches = new ArrayList<>();
    private final Map<String, Watch> followed = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object following = new Object();
    private volatile Listener listener = (key, before, after) -> { };
    private final AtomicLong generation = new AtomicLong();

    public StateStore(Store local) {
        this(local, null, null);
    }

    /**
     * Records in {@code local}, and in {@code global} for global networks (null: one host only);
     * {@code self} is this host's address there, which says which networks it takes part in.
     */
    public StateStore(Store local, Store global, String self) {
        this.local = local;
        this.global = global;
        load(local);
        if (global != null) {
            long revision = global.revision();
            load(global);
            watches.add(global.watch(NETWORKS, revision, this::apply));
            List<String> mine = endpoints.values().stream().filter(e -> self != null && self.equals(e.host()))
                    .map(EndpointState::networkId).distinct().toList();
            for (String key : List.copyOf(endpoints.keySet())) {
                String networkId = key.split("/")[1];
                if (network(networkId).map(this::isGlobal).orElse(false) && !mine.contains(networkId)) {
                    endpoints.remove(key); // read again if this host ever follows the network
                    applied.remove(key);
                }
            }
            for (String networkId : mine) {
                followed.put(networkId, global.watch(ENDPOINTS + networkId + "/", revision, this::apply));
            }
        }
    }

    /**
     * Starts following the endpoints of global network {@code networkId}, if this host did not:
     * reads them at a revision and watches from it. Every read and write of a network's endpoints
     * comes here first, so what this host serves of a network is always current.
     */
    public void follow(String networkId) {
        if (global == null || followed.containsKey(networkId) || !network(networkId).map(this::isGlobal).orElse(false)) {
            return;
        }
        synchronized (following) {
            if (followed.containsKey(networkId)) {
                return;
            }
            String prefix = ENDPOINTS + networkId + "/";
            long revision = global.revision();
            for (KvEntry e : global.list(prefix)) {
                apply(new StoreEvent.Put(e));
            }
            followed.put(networkId, global.watch(prefix, revision, this::apply));
        }
    }

    /** Whether this host follows the network's endpoints (always true for local networks). */
    public boolean follows(String networkId) {
        return global == null || followed.containsKey(networkId) || !network(networkId).map(this::isGlobal).orElse(false);
    }

    private void load(Store store) {
        for (KvEntry e : store.list(NETWORKS)) {
            networks.put(e.key(), read(e.key(), e.value(), NetworkState.class));
            remember(store, e.key(), e.version());
        }
        for (KvEntry e : store.list(ENDPOINTS)) {
            endpoints.put(e.key(), read(e.key(), e.value(), EndpointState.class));
            remember(store, e.key(), e.version());
        }
        if (store == local) {
            for (KvEntry e : store.list(SANDBOXES)) {
                sandboxes.put(e.key(), read(e.key(), e.value(), SandboxState.class));
            }
        }
    }

    /**
     * A number that grows with every change to the records, made here or arriving from the
     * global store: what is derived from the records (such as a sandbox's DNS names) can be kept
     * until it changes.
     */
    public long generation() {
        return generation.get();
    }

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    /** The local store (sandboxes, local networks, this host's IPAM). */
    public Store store() {
        return local;
    }

    /** The global store, if this host shares one. */
    public Optional<Store> globalStore() {
        return Optional.ofNullable(global);
    }

    public List<NetworkState> networks() {
        return List.copyOf(networks.values());
    }

    public Optional<NetworkState> network(String id) {
        return Optional.ofNullable(networks.get(NETWORKS + id));
    }

    public void put(NetworkState n) {
        write(NETWORKS + n.id(), n, networks, isGlobal(n));
    }

    public void deleteNetwork(String id) {
        delete(NETWORKS + id, networks, network(id).map(this::isGlobal).orElse(false));
    }

    /** A network's endpoints, in the order of their keys; read from the global store if this host does not follow it. */
    public List<EndpointState> endpoints(String networkId) {
        String prefix = ENDPOINTS + networkId + "/";
        if (!follows(networkId)) {
            return global.list(prefix).stream().map(e -> read(e.key(), e.value(), EndpointState.class)).toList();
        }
        return List.copyOf(endpoints.subMap(prefix, prefix + Character.MAX_VALUE).values());
    }

    /** One endpoint of a network; read from the global store if this host does not follow the network. */
    public Optional<EndpointState> endpoint(String networkId, String id) {
        String key = ENDPOINTS + networkId + "/" + id;
        if (!follows(networkId)) {
            return global.get(key).map(e -> read(key, e.value(), EndpointState.class));
        }
        return Optional.ofNullable(endpoints.get(key));
    }

    public List<EndpointState> endpoints() {
        return List.copyOf(endpoints.values());
    }

    /** The endpoints joined to a sandbox. */
    public List<EndpointState> joinedTo(String sandboxId) {
        List<EndpointState> out = new ArrayList<>();
        for (EndpointState e : endpoints.values()) {
            if (sandboxId.equals(e.sandboxId())) {
                out.add(e);
            }
        }
        return out;
    }

    public void put(EndpointState e) {
        follow(e.networkId());
        write(ENDPOINTS + e.networkId() + "/" + e.id(), e, endpoints, endpointIsGlobal(e));
    }

    public void deleteEndpoint(EndpointState e) {
        delete(ENDPOINTS + e.networkId() + "/" + e.id(), endpoints, endpointIsGlobal(e));
    }

    public List<SandboxState> sandboxes() {
        return List.copyOf(sandboxes.values());
    }

    public Optional<SandboxState> sandbox(String id) {
        return Optional.ofNullable(sandboxes.get(SANDBOXES + id));
    }

    public void put(SandboxState s) {
        write(SANDBOXES + s.id(), s, sandboxes, false);
    }

    public void deleteSandbox(String id) {
        delete(SANDBOXES + id, sandboxes, false);
    }

    /** The global records as they are in the global store at one moment: networks by id, and the endpoints' ids. */
    public record GlobalRecords(Map<String, NetworkState> networks, Set<String> endpointIds) { }

    /**
     * The global networks and the ids of the global endpoints, read from the global store now,
     * not from memory (which follows only some networks' endpoints, and may lag behind).
     */
    public GlobalRecords readGlobal() {
        if (global == null) {
            throw new IllegalStateException("no global store");
        }
        Map<String, NetworkState> nets = new HashMap<>();
        for (KvEntry e : global.list(NETWORKS)) {
            nets.put(e.key().substring(NETWORKS.length()), read(e.key(), e.value(), NetworkState.class));
        }
        Set<String> eps = new HashSet<>();
        for (KvEntry e : global.list(ENDPOINTS)) {
            eps.add(e.key().substring(e.key().lastIndexOf('/') + 1));
        }
        return new GlobalRecords(Map.copyOf(nets), Set.copyOf(eps));
    }

    /** Whether a network's records live in the global store. */
    public boolean isGlobal(NetworkState n) {
        return global != null && "global".equals(n.scope());
    }

    private boolean endpointIsGlobal(EndpointState e) {
        return network(e.networkId()).map(this::isGlobal).orElse(false);
    }

    private <T> void write(String key, T value, Map<String, T> cache, boolean inGlobal) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(value);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        if (!inGlobal) {
            local.put(key, json);
            cache.put(key, value);
            generation.incrementAndGet();
            return;
        }
        KvEntry written = global.put(key, json);
        Object before;
        synchronized (applied) {
            if (applied.getOrDefault(key, 0L) >= written.version()) {
                return; // a newer change from elsewhere was applied already
            }
            applied.put(key, written.version());
            before = cache.put(key, value);
            generation.incrementAndGet();
        }
        listener.changed(key, before, value);
    }

    private <T> void delete(String key, Map<String, T> cache, boolean inGlobal) {
        if (!inGlobal) {
            local.delete(key);
            cache.remove(key);
            generation.incrementAndGet();
            return;
        }
        global.delete(key);
        long revision = global.revision(); // at or after the delete: older changes echoed later are ignored
        Object before;
        synchronized (applied) {
            applied.merge(key, revision, Math::max);
            before = cache.remove(key);
            generation.incrementAndGet();
        }
        if (before != null) {
            listener.changed(key, before, null);
        }
        unfollowIfNetworkGone(key);
    }

    private void remember(Store store, String key, long version) {
        if (store == global) {
            synchronized (applied) {
                applied.put(key, version);
            }
        }
    }

    /** A change from the global store's watch: applied unless a newer one already was. */
    private void apply(StoreEvent event) {
        String key = event.key();
        NavigableMap<String, ?> cache = key.startsWith(NETWORKS) ? networks : endpoints;
        Class<?> type = key.startsWith(NETWORKS) ? NetworkState.class : EndpointState.class;
        Object before;
        Object after = null;
        synchronized (applied) {
            if (applied.getOrDefault(key, 0L) >= event.revision()) {
                return;
            }
            applied.put(key, event.revision());
            if (event instanceof StoreEvent.Put put) {
                after = read(key, put.entry().value(), type);
                before = putUnchecked(cache, key, after);
            } else {
                before = cache.remove(key);
            }
            generation.incrementAndGet();
        }
        listener.changed(key, before, after);
        if (after == null) {
            unfollowIfNetworkGone(key);
        }
    }

    /** A deleted global network's endpoint watch ends with it. */
    private void unfollowIfNetworkGone(String key) {
        if (key.startsWith(NETWORKS)) {
            Watch w = followed.remove(key.substring(NETWORKS.length()));
            if (w != null) {
                w.close();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> Object putUnchecked(NavigableMap<String, T> cache, String key, Object value) {
        return cache.put(key, (T) value);
    }

    private static <T> T read(String key, byte[] value, Class<T> type) {
        try {
            return JSON.readValue(value, type);
        } catch (IOException x) {
            throw new UncheckedIOException("corrupt record at store key " + key + ": " + x.getMessage(), x);
        }
    }

    /** Stops following the global store. */
    /**
     * A global network's name, claimed in the global store by create-if-absent, so that two hosts
     * creating a network of the same name at the same moment do not both succeed. A claim whose
     * network never appeared is stale (a create that failed while the store was unreachable, its
     * claim applied late, or a host that died in between): it is taken over once it has stayed
     * without a network for {@code staleAfter}, longer than any create
     * takes. False if another network holds the name.
     */
    public boolean claimGlobalName(String name, String id, Duration staleAfter) {
        byte[] value = id.getBytes(StandardCharsets.UTF_8);
        try {
            global.putIfVersion(NAMES + name, value, 0);
        } catch (VersionConflictException e) {
            KvEntry claim = global.get(NAMES + name).orElse(null);
            if (claim == null || !stale(claim, staleAfter)) {
                return false;
            }
            try {
                global.putIfVersion(NAMES + name, value, claim.version());
            } catch (VersionConflictException raced) {
                return false;
            }
        }
        return true;
    }

    /** Gives up a global network's name, if {@code id} still holds it. */
    public void releaseGlobalName(String name, String id) {
        global.get(NAMES + name).filter(e -> e.valueAsString().equals(id)).ifPresent(e -> global.delete(e.key()));
    }

    private boolean stale(KvEntry claim, Duration staleAfter) {
        String owner = claim.valueAsString();
        long deadline = System.nanoTime() + staleAfter.toNanos();
        while (System.nanoTime() < deadline) {
            if (global.get(NETWORKS + owner).isPresent()) {
                return false;
            }
            Optional<KvEntry> now = global.get(claim.key());
            if (now.isEmpty() || now.get().version() != claim.version()) {
                return false; // changed meanwhile: let the caller report the conflict
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return global.get(NETWORKS + owner).isEmpty();
    }

    @Override
    public void close() {
        watches.forEach(Watch::close);
        followed.values().forEach(Watch::close);
    }
}
