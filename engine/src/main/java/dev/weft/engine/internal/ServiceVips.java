package dev.weft.engine.internal;

import dev.weft.engine.driver.SandboxPort;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.SandboxState;
import dev.weft.linux.nft.NftBatch;
import dev.weft.linux.nft.Nftables;
import dev.weft.net.IpPrefix;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Keeps every local sandbox's {@link VipTable} in step with the records: a sandbox reaches the
 * virtual IPs of the networks it is joined to (but for the service it is a backend of), each
 * balanced across that service's backends that are joined, here or on a live host. Called under the engine's lock after every change
 * that can move a virtual IP or a backend (a local endpoint operation, or a global network's
 * records changing); what each sandbox has installed is remembered, so a change costs only its
 * difference. {@link #reinstall} rewrites every table from the records (after a restart, or
 * whenever something else may have removed them); it is idempotent.
 */
final class ServiceVips {
    private static final System.Logger LOG = System.getLogger(ServiceVips.class.getName());
    private final Context c;
    private final SandboxPorts ports;
    private final Predicate<EndpointState> reachable;
    /** sandbox id -> virtual IP endpoint id -> what its table holds. */
    private final Map<String, Map<String, VipTable.Vip>> installed = new ConcurrentHashMap<>();
    /**
     * sandbox id -> its nftables context, kept while the sandbox has virtual IPs: closing one
     * closes its netlink socket, which waits for an RCU grace period (10-20 ms), and a backend
     * change updates every client's table.
     */
    private final Map<String, Nftables> contexts = new ConcurrentHashMap<>();

    ServiceVips(Context c, SandboxPorts ports, Predicate<EndpointState> reachable) {
        this.c = c;
        this.ports = ports;
        this.reachable = reachable;
    }

    /**
     * Brings the tables of the sandboxes on {@code networkId} (or that were on it) up to date. A
     * sandbox whose endpoint there backs every virtual IP of the network has nothing of it to
     * install (a backend does not balance to its own service) and is skipped without a look at
     * its kernel, so adding the Nth backend touches the clients' tables, not the other backends'.
     */
    void networkChanged(String networkId) {
        c.lock().lock();
        try {
            List<EndpointState> endpoints = c.state().endpoints(networkId);
            Set<String> vipNames = new HashSet<>();
            endpoints.stream().filter(EndpointState::vip).forEach(e -> vipNames.add(e.name()));
            Set<String> touched = new HashSet<>();
            for (Map.Entry<String, Map<String, VipTable.Vip>> e : installed.entrySet()) {
                if (e.getValue().values().stream().anyMatch(v -> v.networkId().equals(networkId))) {
                    touched.add(e.getKey());
                }
            }
            for (EndpointState e : endpoints) {
                if (e.sandboxId() != null && (vipNames.size() > 1 || !vipNames.isEmpty() && !vipNames.contains(e.service()))) {
                    touched.add(e.sandboxId());
                }
            }
            for (String id : touched) {
                c.state().sandbox(id).ifPresent(sb -> update(sb, false));
            }
            for (String id : List.copyOf(installed.keySet())) {
                if (c.state().sandbox(id).isEmpty()) {
                    forget(id);
                }
            }
        } finally {
            c.lock().unlock();
        }
    }

    /** Rewrites the table of every local sandbox that should have one from the records. */
    void reinstall() {
        c.lock().lock();
        try {
            installed.clear();
            c.state().sandboxes().forEach(sb -> update(sb, true));
        } finally {
            c.lock().unlock();
        }
    }

    /** Forgets a sandbox whose namespace is gone, or whose table is gone. */
    private void forget(String sandboxId) {
        installed.remove(sandboxId);
        Nftables nft = contexts.remove(sandboxId);
        if (nft != null) {
            nft.close();
        }
    }

    /** Closes the contexts kept (the tables stay). */
    void close() {
        List.copyOf(contexts.keySet()).forEach(this::forget);
    }

    private void update(SandboxState sb, boolean rewrite) {
        Map<String, VipTable.Vip> want = desired(sb);
        Map<String, VipTable.Vip> have = installed.get(sb.id());
        if (want.isEmpty() && (have == null || have.isEmpty())) {
            return;
        }
        SandboxPort port;
        try {
            port = ports.port(sb);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot reach sandbox " + Ids.shortId(sb.id()) + " for its virtual IPs: "
                    + e.getMessage());
            return;
        }
        if (port.netns() == null) {
            return; // on the host's network, or its namespace is gone
        }
        try {
            Nftables nft = contexts.computeIfAbsent(sb.id(), id -> Nftables.open(port.netns(), VipTable.TABLE));
            if (want.isEmpty()) {
                nft.deleteTable(VipTable.FAMILY, VipTable.TABLE);
                forget(sb.id());
                return;
            }
            if (rewrite || have == null) {
                nft.apply(VipTable.rewrite(want.values()));
                installed.put(sb.id(), new HashMap<>(want));
                return;
            }
            NftBatch b = new NftBatch();
            Map<String, VipTable.Vip> now = new HashMap<>();
            for (VipTable.Vip old : have.values()) {
                VipTable.Vip w = want.get(old.id());
                if (w == null || !w.address().equals(old.address())) {
                    VipTable.remove(b, old);
                } else {
                    now.put(old.id(), VipTable.change(b, old, w.backends()));
                }
            }
            for (VipTable.Vip w : want.values()) {
                if (!now.containsKey(w.id())) {
                    VipTable.add(b, w);
                    now.put(w.id(), w);
                }
            }
            if (!b.isEmpty()) {
                nft.apply(b);
            }
            installed.put(sb.id(), now);
        } catch (RuntimeException e) {
            forget(sb.id()); // rewritten whole, with a new context, next time
            LOG.log(System.Logger.Level.WARNING, "cannot program the virtual IPs of sandbox " + Ids.shortId(sb.id()) + ": "
                    + e.getMessage(), e);
        }
    }

    /** The virtual IPs of the sandbox's networks, each with its reachable joined backends (sorted by address). */
    private Map<String, VipTable.Vip> desired(SandboxState sb) {
        Map<String, VipTable.Vip> out = new TreeMap<>();
        for (EndpointState own : c.state().joinedTo(sb.id())) {
            List<EndpointState> all = c.state().endpoints(own.networkId());
            for (EndpointState vip : all) {
                if (!vip.vip() || vip.ipv4() == null || vip.name().equals(own.service())) {
                    continue; // a backend does not balance to its own service
                }
                out.put(vip.id(), new VipTable.Vip(vip.id(), vip.networkId(), address(vip.ipv4()), backends(all, vip.name())));
            }
        }
        return out;
    }

    private List<String> backends(Collection<EndpointState> all, String service) {
        List<String> out = new ArrayList<>();
        for (EndpointState e : all) {
            if (service.equals(e.service()) && e.joined() && e.ipv4() != null && reachable.test(e)) {
                out.add(address(e.ipv4()));
            }
        }
        out.sort(null);
        return out;
    }

    private static String address(String prefix) {
        return IpPrefix.format(IpPrefix.parse(prefix).address());
    }
}
