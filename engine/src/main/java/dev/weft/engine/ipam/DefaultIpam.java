package dev.weft.engine.ipam;

import dev.weft.net.IpPrefix;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;
import dev.weft.store.VersionConflictException;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The default IPAM driver. Its state lives in the store, one key per pool and one key per
 * handed-out address, each created with compare-and-swap: on a global store two hosts can never
 * hold the same pool or address, and an allocation costs one store write. Each pool's addresses
 * are mirrored in an {@link AddressPool} bitmap, rebuilt from the store when first used.
 * <pre>
 *   ipam/SPACE/pools/SUBNET            -> "SUBNET RANGE"
 *   ipam/SPACE/addresses/SUBNET/ADDR   -> owner
 *   ipam/SPACE/ula                     -> the space's random ULA /48 (automatic IPv6 subnets)
 * </pre>
 * (a '/' inside SUBNET is written as '_').
 */
public final class DefaultIpam implements Ipam {
    private final Store store;
    private final Store global;
    private final Map<String, PredefinedPools> predefined;
    private final Supplier<List<IpPrefix>> hostRoutes;
    private final Map<String, AddressPool> pools = new ConcurrentHashMap<>();

    /**
     * @param predefined the automatic IPv4 pools per address space; automatic IPv6 pools are /64s
     *                   of a ULA /48 of each space ({@link UlaPrefix})
     * @param hostRoutes the host's routes, which automatic pools must not overlap
     */
    public DefaultIpam(Store store, Map<String, PredefinedPools> predefined, Supplier<List<IpPrefix>> hostRoutes) {
        this(store, null, predefined, hostRoutes);
    }

    /**
     * Keeps the shared address spaces ({@link PredefinedPools#shared()}, such as the global
     * default) in {@code global}, shared by every host, so two hosts never hand out the same
     * address: each allocation is a create-if-absent of the address's key; the others in
     * {@code store}. A null {@code global} keeps everything in {@code store}.
     */
    public DefaultIpam(Store store, Store global, Map<String, PredefinedPools> predefined,
                       Supplier<List<IpPrefix>> hostRoutes) {
        this.store = store;
        this.global = global;
        this.predefined = Map.copyOf(predefined);
        this.hostRoutes = hostRoutes;
    }

    public DefaultIpam(Store store, Supplier<List<IpPrefix>> hostRoutes) {
        this(store, Map.of(LOCAL_SPACE, PredefinedPools.localDefault(), GLOBAL_SPACE, PredefinedPools.globalDefault()),
                hostRoutes);
    }

    @Override
    public Pool requestPool(String addressSpace, IpPrefix subnet, IpPrefix range, boolean ipv6) {
        checkSpace(addressSpace);
        if (subnet != null) {
            if (subnet.isIpv4() == ipv6) {
                throw new IpamException(IpamException.Reason.INVALID, "subnet " + subnet + " is not an "
                        + (ipv6 ? "IPv6" : "IPv4") + " subnet");
            }
            new AddressPool(subnet, range, true); // validates host bits and the range
            for (Pool existing : pools(addressSpace)) {
                if (Subnets.overlaps(existing.subnet(), subnet)) {
                    throw new IpamException(IpamException.Reason.OVERLAP,
                            "subnet " + subnet + " overlaps " + existing.subnet() + ", already in use");
                }
            }
            return create(addressSpace, subnet, range, true);
        }
        if (range != null) {
            throw new IpamException(IpamException.Reason.INVALID, "an ip-range needs an explicit subnet");
        }
        return createAutomatic(addressSpace, ipv6 ? UlaPrefix.pools(store(addressSpace), addressSpace) : predefined.get(addressSpace));
    }

    private Pool createAutomatic(String space, PredefinedPools candidates) {
        List<IpPrefix> taken = new ArrayList<>(hostRoutes.get().stream().filter(r -> r.length() > 0).toList());
        pools(space).forEach(p -> taken.add(p.subnet()));
        for (PredefinedPools.Base base : candidates.bases()) {
            for (long i = 0; i < base.count(); i++) {
                IpPrefix candidate = Subnets.split(base.base(), base.size(), i);
                if (taken.stream().anyMatch(t -> Subnets.overlaps(t, candidate))) {
                    continue;
                }
                Pool pool = create(space, candidate, null, false);
                if (pool != null) {
                    return pool;
                }
                taken.add(candidate); // another host took it first
            }
        }
        throw new IpamException(IpamException.Reason.EXHAUSTED,
                "all predefined address pools of " + space + " are in use or overlap the host's routes");
    }

    /** Creates the pool key; on a conflict returns null if {@code explicit} is false, else throws OVERLAP. */
    private Pool create(String space, IpPrefix subnet, IpPrefix range, boolean explicit) {
        String id = space + "/" + subnet + (range != null ? "/" + range : "");
        try {
            store(space).putIfVersion(poolKey(space, subnet), utf8(subnet + " " + (range == null ? "-" : range)), 0);
        } catch (VersionConflictException e) {
            if (!explicit) {
                return null;
            }
            throw new IpamException(IpamException.Reason.OVERLAP, "subnet " + subnet + " is already in use");
        }
        pools.put(id, new AddressPool(subnet, range, true));
        return new Pool(id, space, subnet, range);
    }

    /** The pools reserved in {@code space}, from the store. */
    public List<Pool> pools(String space) {
        checkSpace(space);
        return store(space).list("ipam/" + space + "/pools/").stream().map(e -> toPool(space, e)).toList();
    }

    private static Pool toPool(String space, KvEntry e) {
        String[] parts = e.valueAsString().split(" ");
        IpPrefix subnet = IpPrefix.parse(parts[0]);
        IpPrefix range = parts.length > 1 && !parts[1].equals("-") ? IpPrefix.parse(parts[1]) : null;
        return new Pool(space + "/" + subnet + (range != null ? "/" + range : ""), space, subnet, range);
    }

    @Override
    public void releasePool(String poolId) {
        Id id = Id.parse(poolId);
        List<KvEntry> held = store(id.space).list(addressPrefix(id.space, id.subnet));
        if (!held.isEmpty()) {
            throw new IpamException(IpamException.Reason.IN_USE, "pool " + poolId + " still holds " + held.size()
                    + " address(es), for example " + held.getFirst().key().substring(held.getFirst().key().lastIndexOf('/') + 1));
        }
        if (!store(id.space).delete(poolKey(id.space, id.subnet))) {
            throw new IpamException(IpamException.Reason.NOT_FOUND, "no pool " + poolId);
        }
        pools.remove(poolId);
    }

    @Override
    public IpPrefix requestAddress(String poolId, InetAddress preferred, String owner) {
        Id id = Id.parse(poolId);
        AddressPool pool = pool(poolId, id);
        boolean reread = false;
        while (true) {
            InetAddress address;
            try {
                address = preferred != null ? pool.allocate(preferred) : pool.allocate();
            } catch (IpamException e) {
                if (e.reason() != IpamException.Reason.EXHAUSTED || reread) {
                    throw e;
                }
                pools.remove(poolId); // other hosts may have released addresses this process still marks
                pool = pool(poolId, id);
                reread = true;
                continue;
            }
            try {
                store(id.space).putIfVersion(addressKey(id, address), utf8(owner), 0);
                return new IpPrefix(address, id.subnet.length());
            } catch (VersionConflictException e) {
                // another host holds it: it stays marked here; a preferred address is simply taken
                if (preferred != null) {
                    throw new IpamException(IpamException.Reason.ALREADY_ALLOCATED,
                            "address " + IpPrefix.format(preferred) + " is already allocated in subnet " + id.subnet);
                }
            }
        }
    }

    @Override
    public void releaseAddress(String poolId, InetAddress address) {
        Id id = Id.parse(poolId);
        AddressPool pool = pool(poolId, id);
        if (!store(id.space).delete(addressKey(id, address))) {
            throw new IpamException(IpamException.Reason.NOT_ALLOCATED,
                    "address " + IpPrefix.format(address) + " is not allocated in subnet " + id.subnet);
        }
        if (pool.isAllocated(address)) {
            pool.release(address);
        }
    }

    /**
     * Releases {@code address} only while {@code owner} holds it (a compare-and-delete): safe to
     * repeat after a crash, when the address may since have gone to someone else. Whether it did.
     */
    public boolean releaseAddressOf(String poolId, InetAddress address, String owner) {
        Id id = Id.parse(poolId);
        String key = addressKey(id, address);
        var held = store(id.space).get(key);
        if (held.isEmpty() || !held.get().valueAsString().equals(owner)) {
            return false;
        }
        try {
            store(id.space).deleteIfVersion(key, held.get().version());
        } catch (VersionConflictException e) {
            return false;
        }
        AddressPool pool = pool(poolId, id);
        if (pool.isAllocated(address)) {
            pool.release(address);
        }
        return true;
    }

    /** Who holds each address of the pool, from the store (for reconciliation and inspect). */
    public Map<InetAddress, String> holders(String poolId) {
        Id id = Id.parse(poolId);
        Map<InetAddress, String> out = new LinkedHashMap<>();
        for (KvEntry e : store(id.space).list(addressPrefix(id.space, id.subnet))) {
            out.put(IpPrefix.parseAddress(e.key().substring(e.key().lastIndexOf('/') + 1)), e.valueAsString());
        }
        return out;
    }

    /**
     * One key of an address space as it is in the store: a pool ({@code address} null, {@code
     * owner} null), or an address with its owner and the id of its subnet's pool (null if no pool
     * key has that subnet).
     */
    public record Allocation(String key, long version, String poolId, InetAddress address, String owner) {
        public boolean isPool() {
            return address == null;
        }
    }

    /**
     * The pools and addresses of {@code space}, read from the store now (addresses first, then
     * pools), for the sweep of orphaned allocations in the global store.
     */
    public List<Allocation> allocations(String space) {
        checkSpace(space);
        List<KvEntry> addresses = store(space).list("ipam/" + space + "/addresses/");
        List<KvEntry> poolKeys = store(space).list("ipam/" + space + "/pools/");
        Map<IpPrefix, String> poolOf = new LinkedHashMap<>();
        List<Allocation> pools = new ArrayList<>();
        for (KvEntry e : poolKeys) {
            Pool p = toPool(space, e);
            poolOf.put(p.subnet(), p.id());
            pools.add(new Allocation(e.key(), e.version(), p.id(), null, null));
        }
        List<Allocation> out = new ArrayList<>();
        for (KvEntry e : addresses) {
            String[] path = e.key().split("/"); // ipam, SPACE, addresses, SUBNET, ADDR
            if (path.length != 5) {
                continue;
            }
            IpPrefix subnet = IpPrefix.parse(path[3].replace('_', '/'));
            out.add(new Allocation(e.key(), e.version(), poolOf.get(subnet), IpPrefix.parseAddress(path[4]),
                    e.valueAsString()));
        }
        out.addAll(pools);
        return out;
    }

    /**
     * Deletes {@code a}'s key only if it is still at {@code a.version()} (else
     * VersionConflictException: it changed hands or is gone), and forgets it in this process's
     * bitmaps. A pool that still holds addresses is left alone (IpamException IN_USE).
     */
    public void releaseIfUnchanged(String space, Allocation a) {
        checkSpace(space);
        Store s = store(space);
        if (a.isPool()) {
            Id id = Id.parse(a.poolId());
            if (!s.list(addressPrefix(id.space, id.subnet)).isEmpty()) {
                throw new IpamException(IpamException.Reason.IN_USE, "pool " + a.poolId() + " still holds addresses");
            }
            s.deleteIfVersion(a.key(), a.version());
            pools.remove(a.poolId());
            return;
        }
        s.deleteIfVersion(a.key(), a.version());
        String subnetKey = a.key().substring(0, a.key().lastIndexOf('/'));
        pools.forEach((poolId, pool) -> {
            Id id = Id.parse(poolId);
            if (addressPrefix(id.space, id.subnet).equals(subnetKey + "/") && pool.isAllocated(a.address())) {
                pool.release(a.address());
            }
        });
    }

    /** The pool's bitmap, rebuilt from the store the first time it is used in this process. */
    private AddressPool pool(String poolId, Id id) {
        AddressPool cached = pools.get(poolId);
        if (cached != null) {
            return cached;
        }
        if (store(id.space).get(poolKey(id.space, id.subnet)).isEmpty()) {
            throw new IpamException(IpamException.Reason.NOT_FOUND, "no pool " + poolId);
        }
        return pools.computeIfAbsent(poolId, k -> {
            AddressPool p = new AddressPool(id.subnet, id.range, true);
            holders(poolId).keySet().forEach(p::allocate);
            return p;
        });
    }

    private Store store(String space) {
        PredefinedPools p = predefined.get(space);
        return global != null && p != null && p.shared() ? global : store;
    }

    private void checkSpace(String space) {
        if (!predefined.containsKey(space)) {
            throw new IpamException(IpamException.Reason.NOT_FOUND, "unknown address space \"" + space
                    + "\" (known: " + String.join(", ", predefined.keySet().stream().sorted().toList()) + ")");
        }
    }

    private static String poolKey(String space, IpPrefix subnet) {
        return "ipam/" + space + "/pools/" + escape(subnet);
    }

    private static String addressPrefix(String space, IpPrefix subnet) {
        return "ipam/" + space + "/addresses/" + escape(subnet) + "/";
    }

    private static String addressKey(Id id, InetAddress address) {
        return addressPrefix(id.space, id.subnet) + IpPrefix.format(address);
    }

    private static String escape(IpPrefix p) {
        return p.toString().replace('/', '_');
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A pool id: SPACE/SUBNET[/RANGE], for example "LocalDefault/192.0.2.0/24/192.0.2.128/25". */
    private record Id(String space, IpPrefix subnet, IpPrefix range) {
        static Id parse(String poolId) {
            String[] p = poolId == null ? new String[0] : poolId.split("/");
            try {
                if (p.length == 3) {
                    return new Id(p[0], IpPrefix.parse(p[1] + "/" + p[2]), null);
                }
                if (p.length == 5) {
                    return new Id(p[0], IpPrefix.parse(p[1] + "/" + p[2]), IpPrefix.parse(p[3] + "/" + p[4]));
                }
            } catch (IllegalArgumentException e) {
                // fall through
            }
            throw new IpamException(IpamException.Reason.INVALID, "invalid pool id \"" + poolId + "\"");
        }
    }
}
