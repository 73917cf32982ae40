package dev.weft.engine.internal;

import dev.weft.engine.Errors;
import dev.weft.engine.IpamConfig;
import dev.weft.engine.NetworkConfig;
import dev.weft.engine.Scope;
import dev.weft.engine.Undo;
import dev.weft.engine.WeftException;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.ipam.DefaultIpam;
import dev.weft.engine.ipam.Ipam;
import dev.weft.engine.ipam.IpamException;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState.SubnetState;
import dev.weft.engine.state.NetworkState;
import dev.weft.net.IpPrefix;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Network create, find and delete, with their IPAM work. */
public final class NetworkOps {
    static final Duration STALE_CLAIM = Duration.ofSeconds(3);
    private final Context c;

    NetworkOps(Context c) {
        this.c = c;
    }

    /** Creates a network; its id. */
    public String create(NetworkConfig config) {
        Ids.checkName("network", config.name());
        c.lock().lock();
        try (Undo undo = new Undo()) {
            for (NetworkState n : c.state().networks()) {
                if (n.name().equals(config.name())) {
                    throw WeftException.conflict("network " + config.name() + " already exists (id " + Ids.shortId(n.id()) + ")");
                }
            }
            NetworkDriver driver = c.drivers().get(config.driver());
            if (driver.scope() == Scope.GLOBAL && c.state().globalStore().isEmpty()) {
                throw new WeftException(WeftException.Kind.UNAVAILABLE, "the " + driver.name()
                        + " driver makes networks that span hosts and needs a global store (start weftd with --kv-store)");
            }
            driver.validate(config);
            Map<String, String> hostObjects = driver.hostObjects(config);
            String id = Ids.newId();
            if (driver.scope() == Scope.GLOBAL) {
                claimName(config.name(), id, undo);
            }
            Ipam ipam = c.ipams().forDriver(config.ipamDriver());
            List<SubnetState> subnets = allocateSubnets(config, driver, ipam, undo);
            NetworkState n = new NetworkState(id, config.name(), driver.name(), driver.scope().label(),
                    Instant.now().toString(), config.internal(), config.enableIpv6(), config.options(), config.labels(),
                    subnets, false, config.ipamDriver(), hostObjects);
            c.state().put(n);
            undo.push("delete the record of network " + n.name(), () -> c.state().deleteNetwork(id));
            undo.push("tear down network " + n.name(), () -> driver.deleteNetwork(n)); // idempotent: safe after a partial create
            driver.createNetwork(n);
            undo.commit();
            return id;
        } finally {
            c.lock().unlock();
        }
    }

    private void claimName(String name, String id, Undo undo) {
        if (!c.state().claimGlobalName(name, id, STALE_CLAIM)) {
            throw WeftException.conflict("network " + name + " already exists (made on another host)");
        }
        undo.push("release the name " + name, () -> c.state().releaseGlobalName(name, id));
    }

    private List<SubnetState> allocateSubnets(NetworkConfig config, NetworkDriver driver, Ipam ipam, Undo undo) {
        if (!driver.allocatesAddresses()) {
            if (!config.ipv4().isEmpty() || !config.ipv6().isEmpty() || config.enableIpv6()) {
                throw WeftException.invalid("the " + driver.name() + " driver does not use subnets or IPv6");
            }
            return List.of();
        }
        if (!config.enableIpv6() && !config.ipv6().isEmpty()) {
            throw WeftException.invalid("IPv6 subnets given but IPv6 is not enabled for network " + config.name());
        }
        boolean ipv4 = config.enableIpv4();
        if (!ipv4 && !config.enableIpv6()) {
            throw WeftException.invalid("network " + config.name() + " would have no address family: IPv4 disabled"
                    + " (--ipv4=false) needs IPv6 enabled (--ipv6)");
        }
        if (!ipv4 && !config.ipv4().isEmpty()) {
            IpamConfig first = config.ipv4().getFirst();
            throw WeftException.invalid("IPv4 " + (first.subnet() != null ? "subnet " + first.subnet() : "settings")
                    + " given but IPv4 is disabled"
                    + " for network " + config.name() + " (--ipv4=false)");
        }
        String space = driver.scope() == Scope.GLOBAL ? Ipam.GLOBAL_SPACE : Ipam.LOCAL_SPACE;
        List<SubnetState> out = new ArrayList<>();
        List<IpamConfig> v4 = !ipv4 ? List.of() : config.ipv4().isEmpty() ? List.of(IpamConfig.automatic()) : config.ipv4();
        for (IpamConfig cfg : v4) {
            out.add(allocate(ipam, space, cfg, false, undo));
        }
        List<IpamConfig> v6 = config.enableIpv6() && config.ipv6().isEmpty() ? List.of(IpamConfig.automatic()) : config.ipv6();
        for (IpamConfig cfg : v6) {
            out.add(allocate(ipam, space, cfg, true, undo));
        }
        return out;
    }

    private SubnetState allocate(Ipam ipam, String space, IpamConfig cfg, boolean ipv6, Undo undo) {
        try {
            if (cfg.subnet() == null && (cfg.range() != null || cfg.gateway() != null || !cfg.auxAddresses().isEmpty())) {
                throw WeftException.invalid("ip-range, gateway and aux addresses need an explicit subnet");
            }
            checkFamily(cfg, ipv6);
            Ipam.Pool pool = ipam.requestPool(space, cfg.subnet(), cfg.range(), ipv6);
            undo.push("release pool " + pool.id(), () -> ipam.releasePool(pool.id()));
            IpPrefix gateway = request(ipam, pool, cfg.gateway(), "gateway", "gateway", undo);
            Map<String, String> aux = new LinkedHashMap<>();
            for (Map.Entry<String, InetAddress> e : cfg.auxAddresses().entrySet()) {
                aux.put(e.getKey(), IpPrefix.format(request(ipam, pool, e.getValue(), "aux:" + e.getKey(),
                        "aux address " + e.getKey(), undo).address()));
            }
            return new SubnetState(pool.id(), pool.subnet().toString(), pool.range() == null ? null : pool.range().toString(),
                    gateway.toString(), aux);
        } catch (IpamException e) {
            throw Errors.of(e);
        }
    }

    private static void checkFamily(IpamConfig cfg, boolean ipv6) {
        List<InetAddress> all = new ArrayList<>(cfg.auxAddresses().values());
        if (cfg.gateway() != null) {
            all.add(cfg.gateway());
        }
        if (cfg.subnet() != null) {
            all.add(cfg.subnet().address());
        }
        if (cfg.range() != null) {
            all.add(cfg.range().address());
        }
        for (InetAddress a : all) {
            if ((a instanceof Inet6Address) != ipv6) {
                throw WeftException.invalid("address " + IpPrefix.format(a) + " is not an " + (ipv6 ? "IPv6" : "IPv4")
                        + " address, as the rest of this " + (ipv6 ? "IPv6" : "IPv4") + " subnet configuration");
            }
        }
    }

    private IpPrefix request(Ipam ipam, Ipam.Pool pool, InetAddress preferred, String owner, String what, Undo undo) {
        try {
            IpPrefix a = ipam.requestAddress(pool.id(), preferred, owner);
            undo.push("release " + what + " " + a, () -> ipam.releaseAddress(pool.id(), a.address()));
            return a;
        } catch (IpamException e) {
            throw new WeftException(Errors.of(e).kind(), what + ": " + e.getMessage(), e);
        }
    }

    /** The id of the network with this name, full id or unique id prefix. */
    public String find(String nameOrId) {
        List<NetworkState> all = c.state().networks().stream().filter(n -> !n.deleting()).toList();
        for (NetworkState n : all) {
            if (n.name().equals(nameOrId) || n.id().equals(nameOrId)) {
                return n.id();
            }
        }
        List<NetworkState> prefixed = nameOrId == null || nameOrId.isEmpty() ? List.of()
                : all.stream().filter(n -> n.id().startsWith(nameOrId)).toList();
        if (prefixed.size() == 1) {
            return prefixed.getFirst().id();
        }
        if (prefixed.size() > 1) {
            throw WeftException.invalid("network id prefix " + nameOrId + " is ambiguous: it matches "
                    + prefixed.stream().map(NetworkState::name).toList());
        }
        throw WeftException.notFound("network " + nameOrId + " not found");
    }

    public void delete(String id) {
        c.lock().lock();
        try {
            NetworkState n = c.network(id);
            List<EndpointState> eps = c.state().endpoints(id);
            if (!eps.isEmpty()) {
                throw WeftException.conflict("network " + n.name() + " has active endpoints: "
                        + String.join(", ", eps.stream().map(EndpointState::name).sorted().toList()));
            }
            NetworkState marked = n.markDeleting();
            c.state().put(marked); // a restart finishes what this delete starts
            finishDelete(marked);
        } finally {
            c.lock().unlock();
        }
    }

    /** Tears the network down, frees its subnets and forgets it; each step is safe to repeat. */
    void finishDelete(NetworkState n) {
        c.drivers().get(n.driver()).deleteNetwork(n);
        for (SubnetState s : n.subnets()) {
            releaseSubnet(c.ipams().forDriver(n.ipamDriver()), s);
        }
        if (c.state().isGlobal(n)) {
            c.state().releaseGlobalName(n.name(), n.id());
        }
        c.state().deleteNetwork(n.id());
    }

    /** Frees the subnet's addresses (all weft's IPAM holds; the gateway and aux ones a plugin's holds) and its pool. */
    private void releaseSubnet(Ipam ipam, SubnetState s) {
        try {
            List<InetAddress> held = new ArrayList<>();
            if (ipam instanceof DefaultIpam own) {
                held.addAll(own.holders(s.poolId()).keySet());
            } else {
                held.add(IpPrefix.parse(s.gateway()).address());
                s.aux().values().forEach(a -> held.add(IpPrefix.parseAddress(a)));
            }
            for (InetAddress a : held) {
                ipam.releaseAddress(s.poolId(), a);
            }
            ipam.releasePool(s.poolId());
        } catch (IpamException e) {
            if (e.reason() != IpamException.Reason.NOT_FOUND) {
                throw Errors.of(e);
            }
        }
    }
}
