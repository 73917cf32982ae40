package dev.weft.engine.internal;

import dev.weft.engine.EngineObserver;
import dev.weft.engine.driver.NetworkDriver;
import dev.weft.engine.driver.SandboxPort;
import dev.weft.engine.ipam.Ipam;
import dev.weft.engine.ipam.IpamException;
import dev.weft.engine.state.EndpointState;
import dev.weft.engine.state.NetworkState.SubnetState;
import dev.weft.engine.state.NetworkState;
import dev.weft.engine.state.SandboxState;
import dev.weft.linux.netns.Namespaces;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Brings store, IPAM and kernel back into agreement when a controller starts, whatever moment a
 * killed predecessor died at. Each step only trusts the records, and each is safe to repeat:
 * <ol>
 *   <li>networks marked for deletion finish deleting;</li>
 *   <li>sandboxes whose namespace vanished are forgotten, namespaces and files without a record removed;</li>
 *   <li>endpoints of vanished networks are forgotten, joins to vanished sandboxes undone (an
 *   endpoint handed off to another runtime's container counts as vanished once the host end of
 *   its link has gone with the container);</li>
 *   <li>IPAM: pools no network names are released, addresses nobody holds are released;</li>
 *   <li>each driver repairs its networks and removes kernel objects no record names;</li>
 *   <li>joined endpoints whose interfaces vanished are joined again.</li>
 * </ol>
 * On a host sharing a global store, other hosts' endpoints and the global address space are
 * theirs as much as this host's: only this host's joins are checked, and no global address or
 * pool is released for lack of a record, since another host may be between its IPAM request
 * and its record at this very moment: {@link GlobalSweep} frees those, once they have stayed
 * without a record for a whole sweep interval.
 */
final class Reconciler {
    private static final System.Logger LOG = System.getLogger(Reconciler.class.getName());
    private final Context c;
    private final Namespaces namespaces;
    private final SandboxFiles files;
    private final SandboxPorts ports;
    private final NetworkOps networks;
    /** What this run repaired, by kind, for the observer. */
    private final Map<String, Integer> fixed = new TreeMap<>();

    Reconciler(Context c, Namespaces namespaces, SandboxFiles files, SandboxPorts ports, NetworkOps networks) {
        this.c = c;
        this.namespaces = namespaces;
        this.files = files;
        this.ports = ports;
        this.networks = networks;
    }

    /** Runs once and tells {@code observer} what it fixed. */
    void run(EngineObserver observer) {
        long start = System.nanoTime();
        run();
        observer.reconciled("start", Map.copyOf(fixed), System.nanoTime() - start);
    }

    private void fixed(String kind) {
        fixed.merge(kind, 1, Integer::sum);
    }

    private void run() {
        for (NetworkState n : c.state().networks()) {
            if (n.deleting()) {
                LOG.log(System.Logger.Level.INFO, "finishing the deletion of network " + n.name());
                networks.finishDelete(n);
                fixed("network_deletion_finished");
            }
        }
        Set<String> sandboxes = sandboxes();
        endpoints(sandboxes);
        for (int i = GlobalAddressNotes.finish(c); i > 0; i--) {
            fixed("address_released");
        }
        ipam();
        drivers();
        repairJoins();
    }

    /** Re-plumbs joined endpoints whose kernel objects vanished (a crash in the middle of a leave). */
    private void repairJoins() {
        for (EndpointState ep : c.state().endpoints()) {
            if (!ep.joined() || c.state().sandbox(ep.sandboxId()).isEmpty()) {
                continue; // not joined, or joined on another host
            }
            NetworkState n = c.state().network(ep.networkId()).orElseThrow();
            SandboxState sb = c.sandbox(ep.sandboxId());
            NetworkDriver d = c.drivers().get(n.driver());
            SandboxPort port = ports.port(sb);
            if (!d.plumbed(n, ep, port)) {
                LOG.log(System.Logger.Level.INFO, "re-joining endpoint " + ep.name() + " whose interfaces vanished");
                d.leave(n, ep, port);
                d.join(n, ep, port, ep.ifname());
                ports.refresh(sb, port);
                fixed("endpoint_rejoined");
            }
        }
    }

    private Set<String> sandboxes() {
        Set<String> alive = new HashSet<>();
        Set<String> strays = new HashSet<>(namespaces.list());
        for (SandboxState sb : c.state().sandboxes()) {
            if (!ports.namespaceExists(sb)) {
                LOG.log(System.Logger.Level.INFO, "sandbox " + sb.id() + " lost its namespace; forgetting it");
                c.state().deleteSandbox(sb.id()); // a bare file left there is removed below with the other strays
                fixed("sandbox_forgotten");
                continue;
            }
            alive.add(sb.id());
            if (sb.netnsPath() != null && !ports.adopted(sb)) {
                strays.remove(Path.of(sb.netnsPath()).getFileName().toString());
            }
        }
        for (String orphan : strays) {
            LOG.log(System.Logger.Level.INFO, "removing sandbox namespace " + orphan + " that no record names");
            namespaces.delete(orphan);
            fixed("namespace_removed");
        }
        Path dir = files.directory("x").getParent();
        if (Files.isDirectory(dir)) {
            try (var dirs = Files.list(dir)) {
                dirs.map(d -> d.getFileName().toString()).filter(id -> !alive.contains(id)).forEach(id -> {
                    files.delete(id);
                    fixed("sandbox_files_removed");
                });
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot list " + dir, e);
            }
        }
        return alive;
    }

    private void endpoints(Set<String> sandboxes) {
        Map<String, NetworkState> networks = new HashMap<>();
        c.state().networks().forEach(n -> networks.put(n.id(), n));
        for (EndpointState ep : c.state().endpoints()) {
            NetworkState n = networks.get(ep.networkId());
            if (n == null) {
                c.state().deleteEndpoint(ep);
                fixed("endpoint_forgotten");
            } else if (ep.joined() && !sandboxes.contains(ep.sandboxId()) && c.onThisHost(ep)) {
                boolean handedOff = EndpointOps.handedOff(ep);
                SandboxPort port = handedOff ? SandboxPort.handOff(ep.sandboxId()) : new SandboxPort(ep.sandboxId(), null, null);
                if (handedOff && c.drivers().get(n.driver()).plumbed(n, ep, port)) {
                    continue; // its container still holds the other end
                }
                LOG.log(System.Logger.Level.INFO, "endpoint " + ep.name() + " was joined to sandbox " + ep.sandboxId()
                        + ", which is gone; leaving it");
                c.drivers().get(n.driver()).leave(n, ep, port);
                c.state().put(ep.left());
                fixed("endpoint_left");
            }
        }
    }

    private void ipam() {
        Set<String> endpointIds = new HashSet<>();
        c.state().endpoints().forEach(e -> endpointIds.add(e.id()));
        Map<String, NetworkState> byPool = new HashMap<>();
        for (NetworkState n : c.state().networks()) {
            for (SubnetState s : n.subnets()) {
                byPool.put(s.poolId(), n);
            }
        }
        List<String> spaces = c.state().globalStore().isPresent() ? List.of(Ipam.LOCAL_SPACE)
                : List.of(Ipam.LOCAL_SPACE, Ipam.GLOBAL_SPACE);
        for (String space : spaces) {
            for (Ipam.Pool pool : c.ipams().weft().pools(space)) {
                boolean named = byPool.containsKey(pool.id());
                for (Map.Entry<InetAddress, String> held : c.ipams().weft().holders(pool.id()).entrySet()) {
                    String owner = held.getValue();
                    boolean ok = named && (owner.equals("gateway") || owner.startsWith("aux:") || endpointIds.contains(owner));
                    if (!ok) {
                        LOG.log(System.Logger.Level.INFO, "releasing " + held.getKey().getHostAddress() + " held by "
                                + owner + " in pool " + pool.id() + ": no record holds it");
                        c.ipams().weft().releaseAddress(pool.id(), held.getKey());
                        fixed("address_released");
                    }
                }
                if (!named) {
                    LOG.log(System.Logger.Level.INFO, "releasing pool " + pool.id() + " that no network names");
                    try {
                        c.ipams().weft().releasePool(pool.id());
                        fixed("pool_released");
                    } catch (IpamException e) {
                        LOG.log(System.Logger.Level.WARNING, "cannot release pool " + pool.id() + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    private void drivers() {
        for (String name : c.drivers().names()) {
            NetworkDriver d = c.drivers().get(name);
            List<NetworkState> networks = c.state().networks().stream().filter(n -> n.driver().equals(name)).toList();
            Set<String> ids = new HashSet<>();
            networks.forEach(n -> ids.add(n.id()));
            List<EndpointState> endpoints = c.state().endpoints().stream().filter(e -> ids.contains(e.networkId())).toList();
            d.reconcile(networks, endpoints);
        }
    }
}
